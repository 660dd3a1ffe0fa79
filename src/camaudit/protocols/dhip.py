"""Dahua DHIP discovery (UDP 37810): 32-byte little-endian header + JSON body — sans-I/O codec.

Public sources (see /work/shared/reference/devices.md §2.1 and /work/shared/reference/dahua/):
* mcw0/DahuaConsole `net.py:dh_discover()` (group 239.255.255.251, port 37810, the
  `DHDiscover.search` body with `{"mac": "", "uni": 1}`, the header layout, replies parsed as
  `data[32:]` with trailing NULs stripped);
* julienblitte/UniversalScanner `Dahua2.cs` (magic `DHIP`, both length fields equal the body length);
* rroller/dahua `tests/dahua/test_discovery.py` (a real VTO2000A `client.notifyDevInfo` reply).

Header (all u32 little-endian)::

    0x00 header length (32)   0x04 "DHIP"        0x08 session id   0x0C request id
    0x10 body length          0x14 0             0x18 body length  0x1C 0

DHIP has state-changing methods (`DHDiscover.setConfig` changes the IP, `DevInit.account`
initialises the device); camaudit's scanner only ever sends `build_search()`.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from camaudit.errors import MessageTooLarge, ProtocolError

PORT = 37810
MULTICAST_GROUP = "239.255.255.251"
HEADER_SIZE = 32
MAGIC = b"DHIP"
MAX_SIZE = 64 * 1024  # real discovery replies are ~700 bytes
MAX_JSON_DEPTH = 16  # deviceInfo nests 3 deep (params.deviceInfo.IPv4Address)
MAX_FIELDS = 512
SEARCH_METHOD = "DHDiscover.search"
DEVICE_INFO_METHOD = "client.notifyDevInfo"

_HEADER = struct.Struct("<I4sIIIIII")
_PADDING = b"\x00\r\n\t "


@dataclass(frozen=True, slots=True)
class DhipMessage:
    """One DHIP message.

    Attributes:
        session: header session id (0 in discovery).
        request_id: header request id.
        body: the decoded JSON object.
    """

    session: int
    request_id: int
    body: dict[str, Any] = field(default_factory=dict)


def build_message(body: Mapping[str, Any], *, session: int = 0, request_id: int = 0) -> bytes:
    """Header + compact UTF-8 JSON.

    Raises:
        MessageTooLarge: the encoded message would exceed MAX_SIZE.
        ValueError / TypeError: `body` is not JSON-serialisable, or an id does not fit a u32.
    """
    payload = json.dumps(dict(body), separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    if HEADER_SIZE + len(payload) > MAX_SIZE:
        raise MessageTooLarge(f"DHIP body of {len(payload)} bytes exceeds the cap")
    try:
        header = _HEADER.pack(HEADER_SIZE, MAGIC, session, request_id, len(payload), 0, len(payload), 0)
    except struct.error as exc:
        raise ValueError(f"DHIP header field out of range: {exc}") from None
    return header + payload


def parse_message(data: bytes) -> DhipMessage:
    """Check the header and decode the JSON body. Raises ProtocolError / MessageTooLarge.

    Trailing `\\n`/`\\0` after the JSON (inside or after the declared length) is tolerated; any
    other byte after the declared body is not.
    """
    if len(data) > MAX_SIZE:
        raise MessageTooLarge(f"DHIP message of {len(data)} bytes exceeds the {MAX_SIZE}-byte cap")
    if len(data) < HEADER_SIZE:
        raise ProtocolError(f"DHIP message shorter than its {HEADER_SIZE}-byte header")
    size, magic, session, request_id, length, _, length2, _ = _HEADER.unpack_from(data)
    if magic != MAGIC or size != HEADER_SIZE:
        raise ProtocolError("not a DHIP header (bad magic or header length)")
    if length != length2:
        raise ProtocolError(f"DHIP length fields disagree ({length} != {length2})")
    end = HEADER_SIZE + length
    if end > len(data):
        raise ProtocolError(f"DHIP body truncated: {len(data) - HEADER_SIZE} of {length} bytes")
    if data[end:].strip(_PADDING):
        raise ProtocolError("DHIP message has bytes after its declared body")
    body = _decode_json(bytes(data[HEADER_SIZE:end]).rstrip(_PADDING))
    return DhipMessage(session=session, request_id=request_id, body=body)


def _decode_json(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("DHIP body is not UTF-8") from None
    _check_depth(text)
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"DHIP body is not JSON: {exc}"[:200]) from None
    if not isinstance(value, dict):
        raise ProtocolError("DHIP body is not a JSON object")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _check_depth(text: str) -> None:
    """Reject nesting deeper than MAX_JSON_DEPTH before json.loads recurses into it."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if escaped:
            escaped = False
        elif in_string:
            escaped = char == "\\"
            in_string = char != '"'
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise ProtocolError(f"DHIP JSON nested deeper than {MAX_JSON_DEPTH}")
        elif char in "]}":
            depth -= 1


def build_search() -> bytes:
    """The read-only `DHDiscover.search` probe (58-byte body, as DahuaConsole sends it)."""
    return build_message({"method": SEARCH_METHOD, "params": {"mac": "", "uni": 1}})


def is_search(msg: DhipMessage) -> bool:
    """True when `msg` is a discovery search (lab side: answer it with a device-info reply)."""
    return msg.body.get("method") == SEARCH_METHOD


def build_device_info_reply(mac: str, device_info: Mapping[str, Any]) -> bytes:
    """A `client.notifyDevInfo` reply (lab side), shaped like the real VTO2000A reply."""
    body = {"mac": mac, "method": DEVICE_INFO_METHOD, "params": {"deviceInfo": dict(device_info)}}
    return build_message(body)


def observation_fields(msg: DhipMessage) -> dict[str, str]:
    """`dhip.mac`, `dhip.method` and `params.deviceInfo` flattened: `dhip.<Key>`, `dhip.<Obj>.<Key>`;
    other params (an RPC reply's) as `dhip.params.<Key>`.

    Scalars render as JSON would (`true`, `80`); lists as compact JSON; nulls are skipped.
    Missing or mistyped parts yield fewer fields, never an exception.
    """
    out: dict[str, str] = {}
    mac = msg.body.get("mac")
    if isinstance(mac, str) and mac:
        out["dhip.mac"] = mac
    method = msg.body.get("method")
    if isinstance(method, str) and method:
        out["dhip.method"] = method
    params = msg.body.get("params")
    info = params.get("deviceInfo") if isinstance(params, dict) else None
    if isinstance(info, dict):
        _flatten(info, "dhip.", out)
    elif isinstance(params, dict) and "deviceInfo" not in params:  # an RPC reply: a challenge's realm …
        _flatten(params, "dhip.params.", out)
    return out


def _flatten(obj: Mapping[str, Any], prefix: str, out: dict[str, str]) -> None:
    for key, value in obj.items():
        if len(out) >= MAX_FIELDS:
            return
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, name + ".", out)
        elif isinstance(value, str):
            out.setdefault(name, value)
        elif value is not None:
            out.setdefault(name, json.dumps(value, separators=(",", ":"), ensure_ascii=False))
