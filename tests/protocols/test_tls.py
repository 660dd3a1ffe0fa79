"""Certificates: lab minting, field extraction over a real loopback TLS handshake, hostile DER."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ssl
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import tls

# Hikvision's default certificate names (devices.md §4.1, recog x509_subjects), RFC 4514 order.
HIKVISION = {
    "CN": "www.hikvision.com",
    "OU": "DVRNVR",
    "O": "HIKVISION",
    "L": "HangZhou",
    "ST": "ZheJiang",
    "C": "CN",
}
# Dahua NVR issuer and an IP subject (devices.md §4.2).
DAHUA_CA = {
    "CN": "Dahua Device NVR CA",
    "O": "Zhejiang Dahua Technology Co.,Ltd.",
    "L": "Hangzhou",
    "ST": "Zhejiang",
    "C": "CN",
}
DAHUA_LEAF = {"CN": "127.0.0.1", "C": "CN"}


def _der(subject: dict[str, str], issuer: dict[str, str] | None = None) -> bytes:
    return tls.pem_to_der(tls.make_certificate(subject, issuer)[0])


def test_hikvision_self_signed_fields() -> None:
    der = _der(HIKVISION)
    fields = tls.certificate_fields(der)
    rfc4514 = "CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN"
    assert fields["tls.subject"] == fields["tls.issuer"] == rfc4514
    assert (fields["tls.subject.cn"], fields["tls.subject.o"]) == ("www.hikvision.com", "HIKVISION")
    assert (fields["tls.issuer.cn"], fields["tls.issuer.o"]) == ("www.hikvision.com", "HIKVISION")
    assert fields["tls.self_signed"] == "true"
    assert fields["tls.sha256"] == hashlib.sha256(der).hexdigest()
    assert int(fields["tls.serial"], 16) > 0
    lifetime = datetime.fromisoformat(fields["tls.not_after"]) - datetime.fromisoformat(
        fields["tls.not_before"]
    )
    assert lifetime.days == 3651  # issued one day back, valid 3650 days ahead


def test_issuer_signed_certificate_fields() -> None:
    fields = tls.certificate_fields(_der(DAHUA_LEAF, DAHUA_CA))
    assert fields["tls.subject"] == "CN=127.0.0.1,C=CN"
    assert (
        fields["tls.issuer"]
        == r"CN=Dahua Device NVR CA,O=Zhejiang Dahua Technology Co.\,Ltd.,L=Hangzhou,ST=Zhejiang,C=CN"
    )
    assert fields["tls.issuer.o"] == "Zhejiang Dahua Technology Co.,Ltd."
    assert fields["tls.self_signed"] == "false"
    assert "tls.subject.o" not in fields


def test_self_issued_but_foreign_signature_is_not_self_signed() -> None:
    # Same names, but the throwaway issuer key signed it: RFC 5280 self-issued, not self-signed.
    fields = tls.certificate_fields(_der(HIKVISION, dict(HIKVISION)))
    assert fields["tls.subject"] == fields["tls.issuer"] and fields["tls.self_signed"] == "false"


def test_certificates_are_cached_per_names() -> None:
    first = tls.make_certificate(HIKVISION)
    assert tls.make_certificate(dict(HIKVISION)) is first
    assert tls.make_certificate(HIKVISION, days=30) != first
    assert tls.make_certificate(DAHUA_LEAF, DAHUA_CA) != tls.make_certificate(DAHUA_LEAF)
    assert first[1].startswith(b"-----BEGIN PRIVATE KEY-----")


def test_make_certificate_rejects_bad_names() -> None:
    for subject, days in (({"XX": "a"}, 10), ({}, 10), ({"C": "China"}, 10), ({"CN": "a"}, 0)):
        with pytest.raises(ValueError):
            tls.make_certificate(subject, days=days)


def test_non_ascii_names_survive() -> None:
    fields = tls.certificate_fields(_der({"CN": "\u6d77\u5eb7\u5a01\u89c6", "O": "Ac\u00e9"}))
    assert fields["tls.subject.cn"] == "\u6d77\u5eb7\u5a01\u89c6" and fields["tls.subject.o"] == "Ac\u00e9"


@pytest.mark.asyncio
async def test_fields_from_a_real_loopback_handshake(tmp_path: Path) -> None:
    cert_pem, key_pem = tls.make_certificate(DAHUA_LEAF, DAHUA_CA)
    (tmp_path / "c.pem").write_bytes(cert_pem)
    (tmp_path / "k.pem").write_bytes(key_pem)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    client_ctx = ssl.create_default_context()
    client_ctx.check_hostname = False
    client_ctx.verify_mode = ssl.CERT_NONE  # an audit reads untrusted device certificates

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await writer.wait_closed()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=server_ctx)
    port = server.sockets[0].getsockname()[1]
    async with server:
        connect = asyncio.open_connection("127.0.0.1", port, ssl=client_ctx)
        _reader, writer = await asyncio.wait_for(connect, 5)
        der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
        writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await writer.wait_closed()
    assert der == tls.pem_to_der(cert_pem)
    assert tls.certificate_fields(der)["tls.issuer.cn"] == "Dahua Device NVR CA"


@pytest.mark.parametrize(
    "der", [b"", b"\x30", b"\x30\x03\x02\x01\x01", b"-----BEGIN CERTIFICATE-----", b"\x00" * 100]
)
def test_malformed_der_raises_protocol_error(der: bytes) -> None:
    with pytest.raises(ProtocolError):
        tls.certificate_fields(der)


def test_oversized_and_bad_pem() -> None:
    with pytest.raises(MessageTooLarge):
        tls.certificate_fields(b"\x30" * (tls.DER_MAX + 1))
    with pytest.raises(ProtocolError):
        tls.pem_to_der(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")


VALID_DER = _der({"CN": "fuzz", "O": "camaudit"})


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_only_raise_protocol_error(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        tls.certificate_fields(data)


@settings(max_examples=200, deadline=None)
@given(
    cut=st.integers(min_value=0, max_value=len(VALID_DER)),
    flips=st.lists(st.tuples(st.integers(0, len(VALID_DER) - 1), st.integers(1, 255)), max_size=4),
)
def test_damaged_certificates_only_raise_protocol_error(cut: int, flips: list[tuple[int, int]]) -> None:
    der = bytearray(VALID_DER)
    for index, mask in flips:
        der[index] ^= mask
    try:
        fields = tls.certificate_fields(bytes(der[:cut] if cut < len(der) else der))
    except ProtocolError:
        return
    assert fields["tls.self_signed"] in ("true", "false")


def test_an_unknown_certificate_version_is_a_protocol_error() -> None:
    # fuzz/corpus/tls/crash-086f2f…: cryptography's InvalidVersion is no ValueError and escaped.
    der = _der(HIKVISION)
    version = der.index(b"\xa0\x03\x02\x01\x02")  # [0] EXPLICIT INTEGER 2 (v3)
    bad = der[: version + 4] + b"\x06" + der[version + 5 :]
    with pytest.raises(ProtocolError, match="not a valid X509 version"):
        tls.certificate_fields(bad)
