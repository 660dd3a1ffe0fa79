"""Sans-I/O HTTP Digest access authentication (RFC 7616), the scheme ISAPI and Dahua CGI use.

Hikvision ISAPI and Dahua CGI answer an unauthenticated GET with ``401`` and a Digest challenge
(devices.md §4.1, §4.2: ``Digest qop="auth", realm="IP Camera(L4906)", nonce=…``; ``Digest
realm="Login to <serial>", qop="auth", nonce=…, opaque=…``). The client proves it knows the password
without sending it (RFC 7616 §3.4.1): ``response = H(H(A1):nonce:nc:cnonce:qop:H(A2))`` with
``A1 = user:realm:password`` and ``A2 = method:uri``. camaudit deliberately implements no Basic
authentication (RFC 7617), which would put the password itself on the wire.

The same functions serve the client (`authorization`) and the emulated lab (`parse_authorization`,
`expected_response`). Everything parsed is hostile and bounded by `camaudit.protocols.http1`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from camaudit.errors import ProtocolError
from camaudit.protocols.http1 import parse_challenges

# RFC 7616 §3.3 / §6.1: algorithm names and their hash functions (MD5 kept for the devices' sake).
_HASHES = {"MD5": "md5", "SHA-256": "sha256"}
_QUOTE_FREE = frozenset('"\\\r\n')
MAX_PARAM = 512


@dataclass(frozen=True, slots=True)
class Challenge:
    """One Digest challenge (RFC 7616 §3.3).

    Attributes:
        realm, nonce, opaque: as the server sent them.
        qop: "auth" when the server offers it, "" for the RFC 2069 form.
        algorithm: MD5 or SHA-256.
    """

    realm: str
    nonce: str
    qop: str = "auth"
    opaque: str = ""
    algorithm: str = "MD5"


def _hash(algorithm: str, text: str) -> str:
    digest = hashlib.new(_HASHES[algorithm], text.encode("utf-8"), usedforsecurity=False)
    return digest.hexdigest()


def _clean(value: str, what: str) -> str:
    if len(value) > MAX_PARAM or any(c in _QUOTE_FREE for c in value):
        raise ProtocolError(f"Digest {what} is too long or holds quotes/CR/LF")
    return value


def _challenge(params: dict[str, str]) -> Challenge | None:
    algorithm = params.get("algorithm", "MD5").upper()
    if algorithm not in _HASHES or "realm" not in params or "nonce" not in params:
        return None
    qops = [q.strip().lower() for q in params.get("qop", "").split(",") if q.strip()]
    if qops and "auth" not in qops:
        return None  # auth-int only: we never send a body, and nothing else is defined
    return Challenge(
        realm=_clean(params["realm"], "realm"),
        nonce=_clean(params["nonce"], "nonce"),
        qop="auth" if qops else "",
        opaque=_clean(params.get("opaque", ""), "opaque"),
        algorithm=algorithm,
    )


def parse_challenge(values: Sequence[str]) -> Challenge | None:
    """The first usable Digest challenge among WWW-Authenticate values, or None (Basic only, …).

    Raises:
        ProtocolError: a header does not parse, or a Digest parameter is hostile.
    """
    for value in values:
        for scheme, params in parse_challenges(value):
            if scheme.lower() == "digest" and (found := _challenge(params)) is not None:
                return found
    return None


def expected_response(
    challenge: Challenge, *, username: str, password: str, method: str, uri: str, nc: str, cnonce: str
) -> str:
    """The request-digest of RFC 7616 §3.4.1 (RFC 2069 form when the challenge has no qop)."""
    ha1 = _hash(challenge.algorithm, f"{username}:{challenge.realm}:{password}")
    ha2 = _hash(challenge.algorithm, f"{method}:{uri}")
    if not challenge.qop:
        return _hash(challenge.algorithm, f"{ha1}:{challenge.nonce}:{ha2}")
    return _hash(challenge.algorithm, f"{ha1}:{challenge.nonce}:{nc}:{cnonce}:{challenge.qop}:{ha2}")


def authorization(
    challenge: Challenge, *, username: str, password: str, uri: str, method: str = "GET", cnonce: str = ""
) -> str:
    """The Authorization header value answering `challenge` (RFC 7616 §3.4); nc is always 1."""
    _clean(username, "username")
    cnonce = cnonce or secrets.token_hex(8)
    nc = "00000001"
    digest = expected_response(
        challenge, username=username, password=password, method=method, uri=uri, nc=nc, cnonce=cnonce
    )
    parts = [
        f'username="{username}"',
        f'realm="{challenge.realm}"',
        f'nonce="{challenge.nonce}"',
        f'uri="{uri}"',
        f"algorithm={challenge.algorithm}",
        f'response="{digest}"',
    ]
    if challenge.qop:
        parts += [f"qop={challenge.qop}", f"nc={nc}", f'cnonce="{cnonce}"']
    if challenge.opaque:
        parts.append(f'opaque="{challenge.opaque}"')
    return "Digest " + ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a client sent in a Digest Authorization header (lab side)."""

    username: str
    uri: str
    response: str
    challenge: Challenge
    nc: str = ""
    cnonce: str = ""


def parse_authorization(value: str) -> Credentials:
    """Parse a Digest Authorization header (RFC 7616 §3.4).

    Raises:
        ProtocolError: not Digest, a required parameter is missing, or the header is hostile.
    """
    scheme, params = parse_challenges(value)[0]
    if scheme.lower() != "digest":
        raise ProtocolError(f"not a Digest authorization: {scheme[:20]!r}")
    missing = [k for k in ("username", "realm", "nonce", "uri", "response") if k not in params]
    if missing:
        raise ProtocolError(f"Digest authorization without {', '.join(missing)}")
    challenge = _challenge({k: v for k, v in params.items() if k != "qop"} | {"qop": params.get("qop", "")})
    if challenge is None:
        raise ProtocolError("Digest authorization with an unsupported algorithm")
    return Credentials(
        username=_clean(params["username"], "username"),
        uri=_clean(params["uri"], "uri"),
        response=_clean(params["response"], "response").lower(),
        challenge=challenge,
        nc=params.get("nc", ""),
        cnonce=params.get("cnonce", ""),
    )


def verify(creds: Credentials, *, password: str, method: str) -> bool:
    """True when `creds` prove knowledge of `password` (constant-time comparison)."""
    wanted = expected_response(
        creds.challenge,
        username=creds.username,
        password=password,
        method=method,
        uri=creds.uri,
        nc=creds.nc,
        cnonce=creds.cnonce,
    )
    return secrets.compare_digest(wanted, creds.response)
