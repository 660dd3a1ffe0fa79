from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from camaudit.model import ProbeStatus
from camaudit.protocols import tls as tls_codec
from camaudit.sources.probes import tls
from camaudit.sources.probes._base import ProbeTarget

from .conftest import HOST, FakeDevice

# Hikvision's default certificate subject (devices.md §4.1, recog x509_subjects.xml).
HIK_SUBJECT = {
    "CN": "www.hikvision.com",
    "OU": "DVRNVR",
    "O": "HIKVISION",
    "L": "HangZhou",
    "ST": "ZheJiang",
    "C": "CN",
}


@pytest.mark.asyncio
async def test_certificate_fields(device: Callable[..., Awaitable[FakeDevice]], tmp_path: Path) -> None:
    cert_pem, key_pem = tls_codec.make_certificate(HIK_SUBJECT)
    (tmp_path / "c.pem").write_bytes(cert_pem)
    (tmp_path / "k.pem").write_bytes(key_pem)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    dev = await device(443, lambda d: None, ssl=ctx)
    result = await tls.probe(ProbeTarget(HOST, 443), dev.connector())
    (obs,) = result.observations
    assert obs.kind == "tls.certificate" and obs.protocol == "tls" and obs.source == "probe:tls"
    assert obs.fields["tls.subject.cn"] == "www.hikvision.com"
    assert obs.fields["tls.subject.o"] == "HIKVISION"
    assert obs.fields["tls.self_signed"] == "true"
    assert obs.raw == tls_codec.pem_to_der(cert_pem)
    assert dev.received == []  # nothing is sent after the handshake


@pytest.mark.asyncio
async def test_plain_text_port_is_an_attempt(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(443, lambda d: b"HTTP/1.0 400 Bad Request\r\n\r\n")
    result = await tls.probe(ProbeTarget(HOST, 443), dev.connector())
    assert result.observations == ()
    assert result.attempts[0].status in (ProbeStatus.MALFORMED, ProbeStatus.RESET, ProbeStatus.TIMEOUT)
