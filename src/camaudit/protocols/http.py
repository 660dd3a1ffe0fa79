"""Sans-I/O HTTP/1.1 codec: build and parse requests and responses, bounded, no sockets.

Probes (active), pcap analysis (reassembled payloads) and the emulated lab all call these pure
functions. Framing follows RFC 9112, fields RFC 9110, challenges RFC 9110 §11 with the Basic
(RFC 7617) and Digest (RFC 7616) parameters. Input is hostile: the head is capped at MAX_HEAD,
the body at a body cap, and malformed, truncated or oversized input raises `ProtocolError` (or
`MessageTooLarge`). Builders raise `HeaderInjection` (a ProtocolError and a ValueError).

The `*_complete` functions never raise: they answer "can the reader stop now?", and also say
True when the bytes can never become a valid message, so the reader stops and `parse_*` says why.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

import mmh3

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols.http1 import (
    HeaderInjection,
    Headers,
    check_target,
    check_text,
    check_token,
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
    parse_www_authenticate,
)
from camaudit.version import __version__

__all__ = [
    "BODY_CAP",
    "MAX_HEAD",
    "USER_AGENT",
    "HeaderInjection",
    "HttpRequest",
    "HttpResponse",
    "build_request",
    "build_response",
    "decode_chunked",
    "extract_title",
    "favicon_hashes",
    "head_complete",
    "observation_fields",
    "parse_challenges",
    "parse_request",
    "parse_response",
    "parse_www_authenticate",
    "request_complete",
    "response_complete",
]

MAX_HEAD = 16 * 1024  # the same default as h11's DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
BODY_CAP = 64 * 1024
USER_AGENT = f"camaudit/{__version__}"
BODY_FIELD_CHARS = 2048  # fields.yaml: http.body holds the first 2048 characters
TITLE_SCAN = 64 * 1024  # bytes of body searched for <title>
TITLE_RAW_MAX = 4096  # bytes of title text read before unescaping
TITLE_MAX = 1024  # characters of title kept

# RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF (bare LF tolerated, RFC 9112 §2.2).
_CHUNK_LINE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]{0,1024})?\r?\n")
_CHUNK_PREFIX = re.compile(rb"(?:[0-9A-Fa-f]{1,16}[ \t]*(?:;[^\r\n]{0,1024})?\r?)?")
_CHUNK_LINE_MAX = 1100
_TITLE_OPEN = re.compile(rb"<title\b[^>]{0,256}>", re.IGNORECASE)
_TITLE_CLOSE = re.compile(rb"</title", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0/C1 controls: ANSI escapes etc.


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """One HTTP response.

    Attributes:
        status: the status code.
        reason: the reason phrase as sent (latin-1 decoded).
        version: e.g. ``HTTP/1.1``.
        headers: (name, value) pairs, names as sent, in order.
        body: the body with the chunked coding removed, at most the body cap.
        truncated: True when `body` is not the whole body (cap reached, or the input ended early).
    """

    status: int
    reason: str
    version: str
    headers: Headers
    body: bytes
    truncated: bool

    def header(self, name: str) -> str | None:
        return header_of(self.headers, name)

    def headers_all(self, name: str) -> list[str]:
        return headers_of(self.headers, name)


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One HTTP request as the lab receives it. Attributes: method, target, version, headers, body."""

    method: str
    target: str
    version: str
    headers: Headers
    body: bytes

    def header(self, name: str) -> str | None:
        return header_of(self.headers, name)


# ---------------------------------------------------------------- probe side


def build_request(
    method: str, host: str, path: str, *, headers: Sequence[tuple[str, str]] = (), body: bytes = b""
) -> bytes:
    """An HTTP/1.1 request with Host, a fixed User-Agent and `Connection: close` (RFC 9112 §3, §9.6).

    Same-named `headers` replace the defaults; framing headers are always computed here.
    """
    check_token("method", method)
    check_target("host", host)
    check_target("path", path)
    if any(name.lower() in ("content-length", "transfer-encoding") for name, _ in headers):
        raise HeaderInjection("framing headers are computed by build_request")
    defaults = [("Host", host), ("User-Agent", USER_AGENT), ("Accept", "*/*"), ("Connection", "close")]
    fields = merge_fields(defaults, headers)
    if body or method in ("POST", "PUT", "PATCH"):
        fields.append(("Content-Length", str(len(body))))
    return encode_head(f"{method} {path} HTTP/1.1", fields) + body


def head_complete(data: bytes) -> bool:
    """True once the head's blank line arrived (or the head already exceeds MAX_HEAD)."""
    return head_done(data, MAX_HEAD)


def _no_body(status: int, method: str) -> bool:
    # RFC 9112 §6.3 rule 1: replies to HEAD, and 1xx, 204 and 304 replies, end at the head.
    return method.upper() == "HEAD" or status < 200 or status in (204, 304)


def _is_chunked(headers: Headers) -> bool:
    # RFC 9112 §6.3 rules 3-4: chunked wins over Content-Length when it is the final coding.
    codings = [c.strip(" \t").lower() for v in headers_of(headers, "transfer-encoding") for c in v.split(",")]
    return bool(codings) and codings[-1] == "chunked"


def response_complete(data: bytes, *, method: str, body_cap: int = BODY_CAP) -> bool:
    """True when the reader may stop: the body ended per Content-Length, the chunked terminator,
    or HEAD/1xx/204/304; or `body_cap` body bytes arrived; or the bytes are beyond repair.

    A body delimited by connection close (RFC 9112 §6.3 rule 8) stays False until the cap.
    """
    try:
        head = parse_head(data, limit=MAX_HEAD)
        status = parse_status_line(head.start_line, "HTTP").status
        if _no_body(status, method):
            return True
        rest = data[head.body_start :]
        if _is_chunked(head.headers):
            return decode_chunked(rest, body_cap)[1]
        length = content_length(head.headers)
        return len(rest) >= (body_cap if length is None else min(length, body_cap))
    except MessageTooLarge:
        return True
    except ProtocolError:
        return head_complete(data)


def decode_chunked(data: bytes, cap: int = BODY_CAP) -> tuple[bytes, bool, bool]:
    """Decode a chunked body (RFC 9112 §7.1) -> (body, finished, truncated).

    `finished` is True after the last-chunk and trailer section, or once `cap` bytes are decoded
    (then `truncated` is True too). Input that merely ends early gives finished=False.
    """
    out, pos = bytearray(), 0
    while True:
        size, pos = _chunk_size(data, pos)
        if size is None:
            return bytes(out), False, False
        if size == 0:
            return bytes(out), _trailers_done(data, pos), False
        out += data[pos : pos + min(size, cap - len(out))]
        if len(out) >= cap:
            return bytes(out), True, True
        pos += size
        if len(data) <= pos:
            return bytes(out), False, False
        pos = _skip_crlf(data, pos)


def _chunk_size(data: bytes, pos: int) -> tuple[int | None, int]:
    """(size, offset after the line), or (None, pos) while the line is still arriving."""
    match = _CHUNK_LINE.match(data, pos)
    if match is not None:
        return int(match.group(1), 16), match.end()
    if _CHUNK_PREFIX.fullmatch(data, pos, pos + _CHUNK_LINE_MAX) is None:
        raise ProtocolError("malformed chunk-size line")
    return None, pos


def _skip_crlf(data: bytes, pos: int) -> int:
    for ending in (b"\r\n", b"\n"):
        if data.startswith(ending, pos):
            return pos + len(ending)
    if data[pos:] == b"\r":
        return pos + 1
    raise ProtocolError("chunk data not followed by CRLF")


def _trailers_done(data: bytes, pos: int) -> bool:
    # RFC 9112 §7.1.2: the trailer section ends with an empty line.
    return data.startswith((b"\r\n", b"\n"), pos) or head_done(data[pos:], MAX_HEAD)


def parse_response(data: bytes, *, body_cap: int = BODY_CAP, method: str = "GET") -> HttpResponse:
    """Parse one HTTP response; the body is de-chunked and cut at `body_cap`.

    `method` is the request's method (HEAD replies have no body). A body shorter than announced
    (connection closed early) is returned with truncated=True: the head is still evidence.
    """
    head = parse_head(data, limit=MAX_HEAD)
    line = parse_status_line(head.start_line, "HTTP")
    rest = data[head.body_start :]
    body, truncated = b"", False
    if _no_body(line.status, method):
        pass
    elif _is_chunked(head.headers):
        body, done, truncated = decode_chunked(rest, body_cap)
        truncated = truncated or not done
    else:
        length = content_length(head.headers)
        wanted = len(rest) if length is None else length
        body = rest[: min(wanted, body_cap)]
        truncated = len(body) < wanted
    return HttpResponse(line.status, line.reason, line.version, head.headers, body, truncated)


# ---------------------------------------------------------------- lab side


def parse_request(data: bytes) -> HttpRequest:
    """Parse one request (RFC 9112 §3); bodies only by Content-Length, at most BODY_CAP."""
    head = parse_head(data, limit=MAX_HEAD)
    line = parse_request_line(head.start_line, "HTTP")
    if header_of(head.headers, "transfer-encoding") is not None:
        raise ProtocolError("request transfer codings are not supported")
    length = content_length(head.headers) or 0
    if length > BODY_CAP:
        raise MessageTooLarge(f"request body of {length} bytes exceeds {BODY_CAP}")
    body = data[head.body_start : head.body_start + length]
    if len(body) < length:
        raise ProtocolError("truncated request body")
    return HttpRequest(line.method, line.target, line.version, head.headers, body)


def request_complete(data: bytes) -> bool:
    """True once a whole request arrived, or when it can never parse (the reader should stop)."""
    try:
        head = parse_head(data, limit=MAX_HEAD)
        length = content_length(head.headers) or 0
    except MessageTooLarge:
        return True
    except ProtocolError:
        return head_complete(data)
    return length > BODY_CAP or len(data) - head.body_start >= length


def build_response(
    status: int,
    reason: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    *,
    add_content_length: bool = True,
) -> bytes:
    """A response whose header names stay exactly as given (Dahua's `CONTENT-LENGTH:` is a tell).

    Content-Length is appended only when asked, when no framing header is given, and never for
    1xx or 204 (RFC 9110 §8.6).
    """
    if not 100 <= status <= 999:
        raise HeaderInjection(f"status {status} is not three digits")
    check_text("reason", reason)
    fields = list(headers)
    framed = any(k.lower() in ("content-length", "transfer-encoding") for k, _ in fields)
    if add_content_length and not framed and status >= 200 and status != 204:
        fields.append(("Content-Length", str(len(body))))
    return encode_head(f"HTTP/1.1 {status} {reason}", fields) + body


# ---------------------------------------------------------------- fields


def extract_title(body: bytes) -> str | None:
    """The `<title>` text: bounded, entities unescaped, controls dropped, whitespace collapsed.

    The result is plain text (a `<script>` in a title stays literal text for the report to
    escape). UTF-8 when the bytes are valid UTF-8, latin-1 otherwise. None when there is no title.
    """
    opening = _TITLE_OPEN.search(body, 0, TITLE_SCAN)
    if opening is None:
        return None
    start = opening.end()
    closing = _TITLE_CLOSE.search(body, start, start + TITLE_RAW_MAX + 7)
    raw = body[start : closing.start() if closing else start + TITLE_RAW_MAX]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    text = _CONTROL.sub(" ", html.unescape(text))
    return " ".join(text.split())[:TITLE_MAX]


def favicon_hashes(body: bytes) -> dict[str, str]:
    """``http.favicon.md5`` (hex) and ``http.favicon.mmh3``: Shodan's hash, MurmurHash3 x86_32
    (seed 0, signed) of the base64 text with a newline every 76 characters (`encodebytes`)."""
    digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
    return {"http.favicon.md5": digest, "http.favicon.mmh3": str(mmh3.hash(base64.encodebytes(body)))}


def observation_fields(resp: HttpResponse, *, path: str) -> dict[str, str]:
    """The ``http.*`` fields of src/camaudit/data/vocab/fields.yaml for one response."""
    fields = {"http.path": path, "http.status": str(resp.status), "http.path_status": f"{path} {resp.status}"}
    for name, value in resp.headers:
        fields.setdefault(f"http.header.{name.lower()}", value)
    fields["http.header_names"] = ",".join(name for name, _ in resp.headers)
    fields.update(_auth_fields(resp.headers_all("www-authenticate")))
    title = extract_title(resp.body)
    if title is not None:
        fields["http.title"] = title
    for key, header in (("http.last_modified", "last-modified"), ("http.location", "location")):
        if (found := resp.header(header)) is not None:
            fields[key] = found
    fields["http.body"] = resp.body[:BODY_FIELD_CHARS].decode("latin-1")
    fields["http.body.sha256"] = hashlib.sha256(resp.body).hexdigest()
    fields["http.body.length"] = str(len(resp.body))
    return fields


def _auth_fields(values: list[str]) -> dict[str, str]:
    """The challenge(s) ' | '-joined, scheme and realm of the first; unparsable ones stay raw."""
    if not values:
        return {}
    fields = {"http.www_authenticate": " | ".join(values)}
    try:
        scheme, params = parse_www_authenticate(values[0])
    except ProtocolError:
        return fields
    fields["http.www_authenticate.scheme"] = scheme
    if "realm" in params:
        fields["http.www_authenticate.realm"] = params["realm"]
    return fields
