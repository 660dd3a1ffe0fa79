"""HTTP/1.x message syntax shared by the HTTP and RTSP codecs (sans-I/O, bounded).

RTSP reuses the HTTP/1.1 message syntax (RFC 2326 §4, RFC 7826 §5), so both codecs split heads,
parse header fields and validate what they build here. Rules: RFC 9112 (message framing) and
RFC 9110 (field syntax). Everything parsed is hostile: heads are bounded by the caller's limit and
malformed input raises `ProtocolError`; builders raise `HeaderInjection` for any byte that would
change the framing (CR, LF, NUL, other controls).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from camaudit.errors import MessageTooLarge, ProtocolError

MAX_HEADERS = 128
LINE_MAX = 8 * 1024  # characters of one start line or field line
WHITESPACE = " \t"  # OWS, RFC 9110 §5.6.3
AUTH_MAX = 8 * 1024  # characters of a WWW-Authenticate value parsed
AUTH_PARAMS_MAX = 64

Headers = tuple[tuple[str, str], ...]


class HeaderInjection(ProtocolError, ValueError):
    """A builder was given CR, LF, NUL or another character that would change the framing."""


# RFC 9110 §5.6.2: token = 1*tchar.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# RFC 9110 §5.5: field-value = *( VCHAR / obs-text / SP / HTAB ); no CR, LF, NUL or other CTL.
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")
# RFC 9112 §3.2: a request-target has no whitespace or control characters.
_TARGET = re.compile(r"[\x21-\x7e\x80-\xff]+")
# RFC 9112 §2.2: a recipient MAY accept a bare LF as line terminator, so a head ends at
# LF [CR] LF (cameras do send bare LF).
_HEAD_END = re.compile(rb"\n\r?\n")
# RFC 9110 §11.2: token68, alone up to the end or the next comma ("realm=x" is an auth-param).
_TOKEN68 = re.compile(r"([A-Za-z0-9\-._~+/]+=*)[ \t]*(?=,|\Z)")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)  # RFC 9110 §5.6.4 quoted-string
# A bare param value is a token; read leniently (devices put '/' and ':' in nonces).
_BARE_CHARS = "".join(chr(c) for c in range(0x21, 0x100) if chr(c) not in ',"\x7f')
_QUOTED_PAIR = re.compile(r"\\(.)", re.DOTALL)
_LINE_SPLIT = re.compile(r"\r?\n")
# RFC 9112 §4 status-line = HTTP-version SP status-code SP [ reason-phrase ]; RFC 2326 §7.1 alike.
# The trailing SP is optional here: many embedded servers omit it.
_STATUS_LINE = re.compile(r"([A-Z]{4})/([0-9])\.([0-9]) ([0-9]{3})(?: ([\t\x20-\x7e\x80-\xff]*))?")
# RFC 9112 §3 request-line = method SP request-target SP HTTP-version; RFC 2326 §6.1 alike.
_REQUEST_LINE = re.compile(r"([^ ]+) ([^ ]+) ([A-Z]{4})/([0-9])\.([0-9])")


@dataclass(frozen=True, slots=True)
class Head:
    """A parsed message head.

    Attributes:
        start_line: the status or request line, latin-1 decoded.
        headers: (name, value) pairs, names as sent, in order.
        body_start: offset of the first body byte in the input.
    """

    start_line: str
    headers: Headers
    body_start: int


@dataclass(frozen=True, slots=True)
class StatusLine:
    """Attributes: protocol (``HTTP``/``RTSP``), version (``HTTP/1.1``), status, reason."""

    protocol: str
    version: str
    status: int
    reason: str


@dataclass(frozen=True, slots=True)
class RequestLine:
    """Attributes: method, target, protocol (``HTTP``/``RTSP``), version (``RTSP/1.0``)."""

    method: str
    target: str
    protocol: str
    version: str


def header_of(headers: Headers, name: str) -> str | None:
    """The first value of a header, names matched case-insensitively (RFC 9110 §5.1)."""
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


def headers_of(headers: Headers, name: str) -> list[str]:
    """Every value of a header, in the order sent."""
    wanted = name.lower()
    return [value for key, value in headers if key.lower() == wanted]


def find_head_end(data: bytes, limit: int) -> int | None:
    """Offset just past the blank line that ends the head, or None while more bytes are needed.

    Raises MessageTooLarge when no head ends within `limit` bytes.
    """
    match = _HEAD_END.search(data, 0, limit)
    if match is not None:
        return match.end()
    if len(data) >= limit:
        raise MessageTooLarge(f"message head larger than {limit} bytes")
    return None


def head_done(data: bytes, limit: int) -> bool:
    """True once the head is complete, or can never be (over `limit`): the reader should stop."""
    try:
        return find_head_end(data, limit) is not None
    except MessageTooLarge:
        return True


def parse_head(data: bytes, *, limit: int) -> Head:
    """Split a head into its start line and header fields (RFC 9112 §2.1, §5)."""
    end = find_head_end(data, limit)
    if end is None:
        raise ProtocolError("truncated message head")
    lines = _LINE_SPLIT.split(data[:end].decode("latin-1").rstrip("\r\n"))
    if len(lines[0]) > LINE_MAX or _FIELD_VALUE.fullmatch(lines[0]) is None:
        raise ProtocolError(f"malformed start line {lines[0][:60]!r}")
    return Head(lines[0], _parse_fields(lines[1:]), end)


def _parse_fields(lines: list[str]) -> Headers:
    fields: list[tuple[str, str]] = []
    for line in lines:
        if line[:1] in (" ", "\t") and fields:
            # RFC 9112 §5.2: obs-fold is replaced by SP before the value is interpreted.
            name, value = fields[-1]
            fields[-1] = (name, _field_value(name, f"{value} {line.lstrip(WHITESPACE)}"))
            continue
        fields.append(_parse_field(line))
        if len(fields) > MAX_HEADERS:
            raise MessageTooLarge(f"more than {MAX_HEADERS} header fields")
    return tuple(fields)


def _parse_field(line: str) -> tuple[str, str]:
    # RFC 9112 §5.1: field-line = field-name ":" OWS field-value OWS, no space before ":".
    name, sep, value = line.partition(":")
    if not sep or _TOKEN.fullmatch(name) is None:
        raise ProtocolError(f"malformed header line {line[:60]!r}")
    return name, _field_value(name, value)


def _field_value(name: str, value: str) -> str:
    value = value.strip(" \t")
    if len(value) > LINE_MAX or _FIELD_VALUE.fullmatch(value) is None:
        raise ProtocolError(f"control character or oversized value in header {name[:60]!r}")
    return value


def parse_status_line(line: str, protocol: str) -> StatusLine:
    """A status line of `protocol` (``HTTP`` or ``RTSP``); anything else is a ProtocolError."""
    match = _STATUS_LINE.fullmatch(line)
    if match is None or match.group(1) != protocol:
        raise ProtocolError(f"not an {protocol} status line: {line[:60]!r}")
    proto, major, minor, code, reason = match.groups()
    return StatusLine(proto, f"{proto}/{major}.{minor}", int(code), reason or "")


def parse_request_line(line: str, protocol: str) -> RequestLine:
    """A request line of `protocol`; the method must be a token, the target free of whitespace."""
    match = _REQUEST_LINE.fullmatch(line)
    if match is None or match.group(3) != protocol:
        raise ProtocolError(f"not an {protocol} request line: {line[:60]!r}")
    method, target, proto, major, minor = match.groups()
    if _TOKEN.fullmatch(method) is None or _TARGET.fullmatch(target) is None:
        raise ProtocolError(f"malformed request line: {line[:60]!r}")
    return RequestLine(method, target, proto, f"{proto}/{major}.{minor}")


def content_length(headers: Headers) -> int | None:
    """The Content-Length, or None when absent; conflicting or non-numeric values are a
    ProtocolError (RFC 9112 §6.3 rule 5; a list of identical values is accepted)."""
    values = {part.strip(" \t") for v in headers_of(headers, "content-length") for part in v.split(",")}
    if not values:
        return None
    if len(values) > 1 or not all(v.isascii() and v.isdigit() and len(v) <= 15 for v in values):
        raise ProtocolError(f"invalid Content-Length {sorted(values)[:3]!r}")
    return int(values.pop())


def check_token(kind: str, value: str) -> str:
    if _TOKEN.fullmatch(value) is None:
        raise HeaderInjection(f"{kind} is not an RFC 9110 token: {value[:60]!r}")
    return value


def check_text(kind: str, value: str) -> str:
    """A field value or reason phrase: no CR, LF, NUL or other control (RFC 9110 §5.5)."""
    if _FIELD_VALUE.fullmatch(value) is None or value != value.strip(" \t"):
        raise HeaderInjection(f"{kind} holds a control character or edge whitespace: {value[:60]!r}")
    return value


def check_target(kind: str, value: str) -> str:
    if _TARGET.fullmatch(value) is None:
        raise HeaderInjection(f"{kind} holds whitespace or a control character: {value[:60]!r}")
    return value


def merge_fields(
    defaults: Sequence[tuple[str, str]], given: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Given fields replace same-named defaults; remaining defaults come first."""
    names = {name.lower() for name, _ in given}
    return [*((k, v) for k, v in defaults if k.lower() not in names), *given]


def encode_head(start_line: str, headers: Sequence[tuple[str, str]]) -> bytes:
    """Start line, header lines exactly as given (name case is a vendor tell), blank line."""
    lines = [f"{check_token('header name', k)}: {check_text('header value', v)}\r\n" for k, v in headers]
    text = f"{start_line}\r\n{''.join(lines)}\r\n"
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise HeaderInjection("message head must be latin-1 encodable") from exc


def parse_challenges(value: str) -> list[tuple[str, dict[str, str]]]:
    """Every challenge in a WWW-Authenticate value (RFC 9110 §11.6.1), in order.

    Parameter names are lower-cased (they are case-insensitive, RFC 9110 §11.2); a token68
    credential is returned under the key ``token68``. The first of a repeated parameter wins.
    """
    if len(value) > AUTH_MAX:
        raise MessageTooLarge(f"WWW-Authenticate longer than {AUTH_MAX} characters")
    challenges: list[tuple[str, dict[str, str]]] = []
    pos = _skip_separators(value, 0)
    while pos < len(value) and len(challenges) < AUTH_PARAMS_MAX:
        match = _TOKEN.match(value, pos)
        if match is None:
            raise ProtocolError(f"malformed auth scheme at {value[pos : pos + 30]!r}")
        params, pos = _challenge_params(value, match.end())
        challenges.append((match.group(), params))
        pos = _skip_separators(value, pos)
    if not challenges:
        raise ProtocolError("empty WWW-Authenticate")
    return challenges


def parse_www_authenticate(value: str) -> tuple[str, dict[str, str]]:
    """The first challenge: (scheme as sent, params), e.g. ``("Digest", {"realm": …, "nonce": …})``."""
    return parse_challenges(value)[0]


def _skip_separators(text: str, pos: int, separators: str = " \t,") -> int:
    while pos < len(text) and text[pos] in separators:
        pos += 1
    return pos


def _challenge_params(text: str, pos: int) -> tuple[dict[str, str], int]:
    if pos < len(text) and text[pos] not in " \t,":
        raise ProtocolError(f"malformed auth scheme at {text[:30]!r}")
    pos = _skip_separators(text, pos, " \t")
    token68 = _TOKEN68.match(text, pos)
    if token68 is not None:
        return {"token68": token68.group(1)}, token68.end()
    params: dict[str, str] = {}
    while len(params) < AUTH_PARAMS_MAX:
        pos = _skip_separators(text, pos)
        name = _TOKEN.match(text, pos)
        after = _skip_separators(text, name.end(), " \t") if name else pos
        if name is None or after >= len(text) or text[after] != "=":
            return params, pos  # the end, or the next challenge's scheme
        param, pos = _param_value(text, _skip_separators(text, after + 1, " \t"))
        params.setdefault(name.group().lower(), param)
    return params, pos


def _param_value(text: str, pos: int) -> tuple[str, int]:
    quoted = _QUOTED.match(text, pos)
    if quoted is not None:
        value, end = _QUOTED_PAIR.sub(r"\1", quoted.group(1)), quoted.end()
    elif text[pos : pos + 1] == '"':
        raise ProtocolError("unterminated quoted-string in WWW-Authenticate")
    else:
        end = _skip_separators(text, pos, _BARE_CHARS)
        value = text[pos:end]
    end = _skip_separators(text, end, " \t;")  # Dahua's API document ends its challenge with ';'
    if end < len(text) and text[end] != ",":
        raise ProtocolError(f"junk after auth-param at {text[end : end + 30]!r}")
    return value, end
