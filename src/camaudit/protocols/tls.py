"""X.509 certificates: read a server certificate into fields, and mint certificates for the lab.

`certificate_fields` turns the DER a TLS server sent into the ``tls.*`` fields of
src/camaudit/data/vocab/fields.yaml (names per RFC 4514, structure per RFC 5280). The DER is
hostile: it is size-capped, and anything `cryptography` cannot read raises `ProtocolError`.

`make_certificate` mints throwaway EC P-256 certificates (fast to generate) carrying the
subject and issuer names a lab profile copies from a real device, e.g. Hikvision's default
``CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,L=HangZhou,ST=ZheJiang,C=CN``.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from camaudit.errors import MessageTooLarge, ProtocolError

__all__ = ["DER_MAX", "NAME_KEYS", "certificate_fields", "make_certificate", "pem_to_der"]

DER_MAX = 64 * 1024  # a camera's certificate is ~1 KiB; chains are sent one by one

# RFC 4514 §3 short names for the attributes lab profiles use.
NAME_KEYS: Mapping[str, x509.ObjectIdentifier] = {
    "CN": NameOID.COMMON_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "L": NameOID.LOCALITY_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
    "C": NameOID.COUNTRY_NAME,
    "emailAddress": NameOID.EMAIL_ADDRESS,
    "serialNumber": NameOID.SERIAL_NUMBER,
}

# What a hostile DER can make cryptography raise while loading or reading names.
_READ_ERRORS = (ValueError, TypeError, UnicodeError, UnsupportedAlgorithm, OverflowError, x509.InvalidVersion)


def certificate_fields(der: bytes) -> dict[str, str]:
    """The ``tls.*`` fields of one DER certificate; malformed DER raises ProtocolError."""
    if len(der) > DER_MAX:
        raise MessageTooLarge(f"certificate larger than {DER_MAX} bytes")
    try:
        with warnings.catch_warnings():
            # Device certificates break rules (negative serials, odd strings): read, don't warn.
            warnings.simplefilter("ignore")
            return _fields(x509.load_der_x509_certificate(der), der)
    except _READ_ERRORS as exc:
        raise ProtocolError(f"unreadable certificate: {exc}") from exc


def _fields(cert: x509.Certificate, der: bytes) -> dict[str, str]:
    fields = {
        "tls.subject": cert.subject.rfc4514_string(),
        "tls.issuer": cert.issuer.rfc4514_string(),
        "tls.serial": format(cert.serial_number, "x"),
        "tls.not_before": cert.not_valid_before_utc.isoformat(),
        "tls.not_after": cert.not_valid_after_utc.isoformat(),
        "tls.sha256": hashlib.sha256(der).hexdigest(),
        "tls.self_signed": "true" if _self_signed(cert) else "false",
    }
    for prefix, name in (("tls.subject", cert.subject), ("tls.issuer", cert.issuer)):
        for suffix, oid in (("cn", NameOID.COMMON_NAME), ("o", NameOID.ORGANIZATION_NAME)):
            if (value := _first(name, oid)) is not None:
                fields[f"{prefix}.{suffix}"] = value
    return fields


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    attributes = name.get_attributes_for_oid(oid)
    if not attributes:
        return None
    value = attributes[0].value
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _self_signed(cert: x509.Certificate) -> bool:
    """RFC 5280 §3.2 / §6.1: issuer equals subject and its own key verifies the signature."""
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (InvalidSignature, *_READ_ERRORS):
        return False
    return True


def pem_to_der(pem: bytes) -> bytes:
    """The DER of a PEM certificate (the lab hands out PEM; TLS servers send DER)."""
    try:
        return x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    except _READ_ERRORS as exc:
        raise ProtocolError(f"unreadable PEM certificate: {exc}") from exc


# ---------------------------------------------------------------- lab side


def make_certificate(
    subject: Mapping[str, str], issuer: Mapping[str, str] | None = None, *, days: int = 3650
) -> tuple[bytes, bytes]:
    """(certificate PEM, private key PEM) with the given name attributes.

    Keys are RFC 4514 short names (NAME_KEYS), listed in RFC 4514 order: the certificate's
    ``tls.subject`` reads back exactly as ``",".join(f"{k}={v}")`` (the DER holds them reversed,
    the order `openssl x509 -text` shows). Without `issuer` the certificate is self-signed;
    with it, a throwaway issuer key carrying that name signs it. Results are cached per
    (subject, issuer, days) for the life of the process.
    """
    issuer_items = None if issuer is None else tuple(issuer.items())
    return _make_cached(tuple(subject.items()), issuer_items, days)


@lru_cache(maxsize=256)
def _make_cached(
    subject: tuple[tuple[str, str], ...], issuer: tuple[tuple[str, str], ...] | None, days: int
) -> tuple[bytes, bytes]:
    if days < 1:
        raise ValueError(f"days must be positive, not {days}")
    key = ec.generate_private_key(ec.SECP256R1())
    signer = key if issuer is None else ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC).replace(microsecond=0)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(subject if issuer is None else issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
    )
    cert = builder.sign(signer, hashes.SHA256())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def _name(items: tuple[tuple[str, str], ...]) -> x509.Name:
    unknown = [key for key, _ in items if key not in NAME_KEYS]
    if unknown or not items:
        raise ValueError(f"name keys must be among {sorted(NAME_KEYS)}, got {unknown or 'nothing'}")
    # RFC 4514 §2.1 writes RDNs last-to-first, so the DER sequence is the reverse of the mapping.
    return x509.Name([x509.NameAttribute(NAME_KEYS[key], value) for key, value in reversed(items)])
