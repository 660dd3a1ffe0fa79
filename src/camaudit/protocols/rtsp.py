"""Sans-I/O RTSP/1.0 codec: OPTIONS and DESCRIBE requests, replies, and their SDP, bounded.

RTSP reuses the HTTP/1.1 message syntax (RFC 2326 §4; RFC 7826 §5), so heads go through
`camaudit.protocols.http1`. Bodies are framed only by Content-Length, absent meaning zero
(RFC 2326 §12.14, RFC 7826 §18.17). A whole message is capped at MAX_SIZE. Malformed,
truncated or oversized input raises `ProtocolError` (or `MessageTooLarge`); builders raise
`HeaderInjection`. Session descriptions follow RFC 4566 (SDP).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols.http1 import (
    Head,
    HeaderInjection,
    Headers,
    check_target,
    check_text,
    content_length,
    encode_head,
    head_done,
    header_of,
    headers_of,
    merge_fields,
    parse_challenges,
    parse_head,
    parse_request_line,
    parse_status_line,
)
from camaudit.version import __version__

__all__ = [
    "MAX_SIZE",
    "HeaderInjection",
    "RtspRequest",
    "RtspResponse",
    "build_request",
    "build_response",
    "observation_fields",
    "parse_request",
    "parse_response",
    "parse_sdp",
    "request_complete",
    "response_complete",
]

MAX_SIZE = 32 * 1024
USER_AGENT = f"camaudit/{__version__}"
# Read-only methods only: OPTIONS (RFC 2326 §10.1) and DESCRIBE (§10.2) change no state.
SAFE_METHODS = ("OPTIONS", "DESCRIBE")
SDP_LINES_MAX = 256
SDP_VALUE_MAX = 512  # characters kept per SDP value
SDP_KEYS_MAX = 64

# RFC 2326 §12.17 / RFC 7826 §18.20: CSeq = 1*9DIGIT.
_CSEQ = re.compile(r"[0-9]{1,9}")
# RFC 2326 §3.2: rtsp_URL = ( "rtsp:" | "rtspu:" ) "//" host ...; RFC 7826 §4.2 adds rtsps.
_URL = re.compile(r"(?:rtsps?|rtspu)://[^\s/?#]+.*|\*", re.IGNORECASE | re.DOTALL)
# RFC 4566 §5: <type>=<value>, the type a single lower-case letter.
_SDP_LINE = re.compile(r"([a-z])=(.*)")
# RFC 4566 §6: a=<attribute> or a=<attribute>:<value>; names are tokens.
_SDP_ATTRIBUTE = re.compile(r"([A-Za-z0-9_.\-]{1,64})(?::(.*))?")
_SDP_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class RtspResponse:
    """One RTSP reply.

    Attributes:
        status: the status code.
        reason: the reason phrase as sent.
        headers: (name, value) pairs, names as sent, in order.
        body: the body (usually SDP after DESCRIBE).
        version: e.g. ``RTSP/1.0``.
        truncated: True when fewer body bytes arrived than Content-Length announced.
    """

    status: int
    reason: str
    headers: Headers
    body: bytes
    version: str = "RTSP/1.0"
    truncated: bool = False

    def header(self, name: str) -> str | None:
        return header_of(self.headers, name)

    def headers_all(self, name: str) -> list[str]:
        """Every value, in order: a Digest and a Basic WWW-Authenticate line are common."""
        return headers_of(self.headers, name)


@dataclass(frozen=True, slots=True)
class RtspRequest:
    """One RTSP request as the lab receives it. Attributes: method, url, cseq, headers, version, body."""

    method: str
    url: str
    cseq: str
    headers: Headers
    version: str = "RTSP/1.0"
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return header_of(self.headers, name)

    def headers_all(self, name: str) -> list[str]:
        return headers_of(self.headers, name)


def _check_cseq(cseq: str | int) -> str:
    text = str(cseq)
    if isinstance(cseq, bool) or _CSEQ.fullmatch(text) is None:
        raise HeaderInjection(f"CSeq must be 1-9 digits: {text[:30]!r}")
    return text


def build_request(method: str, url: str, cseq: int, *, headers: Sequence[tuple[str, str]] = ()) -> bytes:
    """An OPTIONS or DESCRIBE request (DESCRIBE asks for `application/sdp`, RFC 2326 §10.2).

    Same-named `headers` replace the defaults; CSeq and framing are always set here.
    """
    if method not in SAFE_METHODS:
        raise HeaderInjection(f"only read-only methods {SAFE_METHODS} may be built, not {method[:30]!r}")
    if _URL.fullmatch(check_target("url", url)) is None:
        raise HeaderInjection(f"not an rtsp:// URL: {url[:60]!r}")
    if any(name.lower() in ("cseq", "content-length") for name, _ in headers):
        raise HeaderInjection("CSeq and Content-Length are set by build_request")
    defaults = [("CSeq", _check_cseq(cseq)), ("User-Agent", USER_AGENT)]
    if method == "DESCRIBE":
        defaults.append(("Accept", "application/sdp"))
    return encode_head(f"{method} {url} RTSP/1.0", merge_fields(defaults, headers))


def _framed(data: bytes) -> tuple[Head, int]:
    """The head and the announced body length, checking the MAX_SIZE cap."""
    head = parse_head(data, limit=MAX_SIZE)
    length = content_length(head.headers) or 0
    if head.body_start + length > MAX_SIZE:
        raise MessageTooLarge(f"RTSP message larger than {MAX_SIZE} bytes")
    return head, length


def _complete(data: bytes) -> bool:
    try:
        head, length = _framed(data)
    except MessageTooLarge:
        return True
    except ProtocolError:
        return head_done(data, MAX_SIZE)
    return len(data) - head.body_start >= length


def response_complete(data: bytes) -> bool:
    """True once the head and Content-Length body arrived, or when the bytes can never parse."""
    return _complete(data)


def request_complete(data: bytes) -> bool:
    """True once a whole request arrived, or when the bytes can never parse."""
    return _complete(data)


def parse_response(data: bytes) -> RtspResponse:
    """Parse one reply; a body cut short is returned with truncated=True (the head is evidence)."""
    head, length = _framed(data)
    line = parse_status_line(head.start_line, "RTSP")
    body = data[head.body_start : head.body_start + length]
    return RtspResponse(line.status, line.reason, head.headers, body, line.version, len(body) < length)


def parse_request(data: bytes) -> RtspRequest:
    """Parse one request; CSeq is mandatory (RFC 2326 §12.17), the body must be complete."""
    head, length = _framed(data)
    line = parse_request_line(head.start_line, "RTSP")
    cseq = header_of(head.headers, "cseq")
    if cseq is None or _CSEQ.fullmatch(cseq) is None:
        raise ProtocolError(f"missing or malformed CSeq: {(cseq or '')[:30]!r}")
    body = data[head.body_start : head.body_start + length]
    if len(body) < length:
        raise ProtocolError("truncated RTSP request body")
    return RtspRequest(line.method, line.target, cseq, head.headers, line.version, body)


def build_response(
    status: int,
    reason: str,
    cseq: str | int,
    headers: Sequence[tuple[str, str]],
    body: bytes = b"",
) -> bytes:
    """A reply echoing `cseq` first (RFC 2326 §12.17); header names stay exactly as given.

    Content-Length is added when there is a body and none is given.
    """
    if not 100 <= status <= 999:
        raise HeaderInjection(f"status {status} is not three digits")
    check_text("reason", reason)
    fields = [("CSeq", _check_cseq(cseq)), *headers]
    if body and not any(k.lower() == "content-length" for k, _ in headers):
        fields.append(("Content-Length", str(len(body))))
    return encode_head(f"RTSP/1.0 {status} {reason}", fields) + body


def parse_sdp(body: bytes) -> dict[str, str]:
    """Session-level SDP values by type (RFC 4566 §5): ``s``, ``i``, ``o``, ``u`` … (first wins),
    ``m`` (every media line, ' | '-joined), session attributes by name (``tool``, ``control``,
    ``range`` …; RFC 4566 §6) and ``media_attributes`` (every media-level ``a=`` value, ' | '-joined,
    cut at SDP_VALUE_MAX). Bounded: MAX_SIZE bytes, SDP_LINES_MAX lines, SDP_VALUE_MAX characters.

    Raises ProtocolError when no line is SDP.
    """
    if len(body) > MAX_SIZE:
        raise MessageTooLarge(f"SDP larger than {MAX_SIZE} bytes")
    # RFC 4566 §5: SDP text is UTF-8 by default; undecodable bytes become U+FFFD, not errors.
    lines = body.decode("utf-8", errors="replace").splitlines()[:SDP_LINES_MAX]
    found: dict[str, str] = {}
    media: list[str] = []
    media_attributes: list[str] = []
    for line in lines:
        match = _SDP_LINE.fullmatch(line.strip())
        if match is None:
            continue
        kind, value = match.group(1), _clean(match.group(2))
        if media and kind == "a":
            media_attributes.append(value)  # vendor tells live here too (a=Media_header, FCAM rtpmap)
        _sdp_value(found, media, kind, value)
    if not found and not media:
        raise ProtocolError("no SDP lines in body")
    if media:
        found["m"] = " | ".join(media)[:SDP_VALUE_MAX]
    if media_attributes:
        found["media_attributes"] = " | ".join(media_attributes)[:SDP_VALUE_MAX]
    return found


def _clean(value: str) -> str:
    return _SDP_CONTROL.sub("", value)[:SDP_VALUE_MAX]


def _sdp_value(found: dict[str, str], media: list[str], kind: str, value: str) -> None:
    if kind == "m":
        media.append(value)
    elif media or len(found) >= SDP_KEYS_MAX:
        return  # media-level lines and anything past the key cap are not kept
    elif kind != "a":
        found.setdefault(kind, value)
    elif (attribute := _SDP_ATTRIBUTE.fullmatch(value)) is not None:
        name = attribute.group(1)
        if len(name) > 1:  # one-letter names would shadow the line types
            found.setdefault(name, attribute.group(2) or "")


def observation_fields(resp: RtspResponse, *, method: str) -> dict[str, str]:
    """The ``rtsp.*`` fields of src/camaudit/data/vocab/fields.yaml for one reply."""
    fields = {"rtsp.method": method, "rtsp.status": str(resp.status)}
    for name, value in resp.headers:
        fields.setdefault(f"rtsp.header.{name.lower()}", value)
    challenges = resp.headers_all("www-authenticate")
    if challenges:
        fields["rtsp.www_authenticate"] = " | ".join(challenges)
        if (realm := _first_realm(challenges)) is not None:
            fields["rtsp.www_authenticate.realm"] = realm
    if (public := resp.header("public")) is not None:
        fields["rtsp.public"] = public
    fields.update({f"rtsp.sdp.{key}": value for key, value in _sdp_of(resp).items()})
    return fields


def _first_realm(values: list[str]) -> str | None:
    for value in values:
        try:
            challenges = parse_challenges(value)
        except ProtocolError:
            continue
        for _, params in challenges:
            if "realm" in params:
                return params["realm"]
    return None


def _sdp_of(resp: RtspResponse) -> dict[str, str]:
    content_type = (resp.header("content-type") or "").split(";")[0].strip().lower()
    if not resp.body or (content_type != "application/sdp" and not resp.body.startswith(b"v=")):
        return {}
    try:
        return parse_sdp(resp.body)
    except ProtocolError:
        return {}  # an unparsable body stays out of the fields; the raw bytes remain evidence
