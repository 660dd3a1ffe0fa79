"""Service specs for the vendor discovery and binary ports (SADP, DHIP, DVRIP, SDK 8000, WS-Discovery,
SSDP, mDNS) and the hostile raw behaviours. See camaudit.lab.spec for the conventions."""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from camaudit.lab.spec import Headers, Where, check_keys, headers, str_list, str_map, want
from camaudit.protocols import mdns

MAX_FLOOD = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SadpSpec:
    """Hikvision SADP ProbeMatch elements in wire order (devices.md §1.1); `raw_reply` replaces the
    whole reply with literal bytes (hostile-bad-xml)."""

    fields: tuple[tuple[str, str], ...]
    raw_reply: bytes | None = None


def sadp_spec(where: Where, data: Any) -> SadpSpec:
    d = check_keys(where, data, {"protocol", "fields", "raw_reply"}, {"protocol"})
    if ("fields" in d) == ("raw_reply" in d):
        raise where.error("give exactly one of fields, raw_reply")
    raw = _raw(where.child("raw_reply"), d.get("raw_reply"))
    fields = d.get("fields") or {}
    if not isinstance(fields, Mapping):
        raise where.child("fields").error("expected a mapping of element -> text")
    pairs = tuple(
        (str(k), str(want(where.child("fields").child(str(k)), v, (str, int)))) for k, v in fields.items()
    )
    return SadpSpec(pairs, raw)


def _raw(where: Where, value: Any) -> bytes | None:
    return None if value is None else want(where, value, str).encode("utf-8")


@dataclass(frozen=True, slots=True)
class DhipSpec:
    """Dahua DHIP client.notifyDevInfo reply (devices.md §2.1): top-level mac + params.deviceInfo."""

    mac: str
    device_info: Mapping[str, Any]


def dhip_spec(where: Where, data: Any) -> DhipSpec:
    d = check_keys(where, data, {"protocol", "mac", "device_info"}, {"protocol", "mac", "device_info"})
    info = d["device_info"]
    if not isinstance(info, Mapping):
        raise where.child("device_info").error("expected a mapping")
    return DhipSpec(want(where.child("mac"), d["mac"], str), types.MappingProxyType(dict(info)))


@dataclass(frozen=True, slots=True)
class DvripLegacySpec:
    """Dahua legacy UDP 5050 search reply fields (devices.md §2.2)."""

    device_type: str
    mac: str
    ipv4: str
    version: str
    serial: str
    web_port: int
    tcp_port: int


_LEGACY_KEYS = {"device_type", "mac", "ipv4", "version", "serial", "web_port", "tcp_port"}


def dvrip_legacy_spec(where: Where, data: Any) -> DvripLegacySpec:
    d = check_keys(where, data, _LEGACY_KEYS | {"protocol"}, _LEGACY_KEYS | {"protocol"})
    ints = {k: want(where.child(k), d[k], int) for k in ("web_port", "tcp_port")}
    strs = {k: want(where.child(k), d[k], str) for k in _LEGACY_KEYS - set(ints)}
    return DvripLegacySpec(**strs, **ints)


@dataclass(frozen=True, slots=True)
class DvripSpec:
    """Dahua TCP 37777: answers the realm request with `Realm:Login to <serial>` (devices.md §2.3)."""

    serial: str
    random: str


def dvrip_spec(where: Where, data: Any) -> DvripSpec:
    d = check_keys(where, data, {"protocol", "serial", "random"}, {"protocol", "serial", "random"})
    return DvripSpec(
        want(where.child("serial"), d["serial"], str),
        str(want(where.child("random"), d["random"], (str, int))),
    )


@dataclass(frozen=True, slots=True)
class HikSdkSpec:
    """Hikvision SDK port 8000: the 16-byte greeting nmap matches (devices.md §4.1)."""

    code: int = 0x1E


def hiksdk_spec(where: Where, data: Any) -> HikSdkSpec:
    d = check_keys(where, data, {"protocol", "code"}, {"protocol"})
    code = want(where.child("code"), d.get("code", 0x1E), int)
    if not 0 <= code < 2**32:
        raise where.child("code").error("must fit in an unsigned 32-bit integer")
    return HikSdkSpec(code)


@dataclass(frozen=True, slots=True)
class WsdSpec:
    """ONVIF WS-Discovery ProbeMatch (devices.md §3); `raw_reply` replaces it with literal bytes."""

    endpoint: str = ""
    types: str = ""
    scopes: tuple[str, ...] = ()
    xaddrs: tuple[str, ...] = ()
    raw_reply: bytes | None = None


def wsd_spec(where: Where, data: Any) -> WsdSpec:
    d = check_keys(
        where, data, {"protocol", "endpoint", "types", "scopes", "xaddrs", "raw_reply"}, {"protocol"}
    )
    if "raw_reply" in d:
        if set(d) - {"protocol", "raw_reply"}:
            raise where.error("raw_reply stands alone")
        return WsdSpec(raw_reply=_raw(where.child("raw_reply"), d["raw_reply"]))
    check_keys(where, d, set(d), {"endpoint", "types", "scopes", "xaddrs"})
    return WsdSpec(
        endpoint=want(where.child("endpoint"), d["endpoint"], str),
        types=want(where.child("types"), d["types"], str),
        scopes=str_list(where.child("scopes"), d["scopes"]),
        xaddrs=str_list(where.child("xaddrs"), d["xaddrs"]),
    )


RAW_BEHAVIOURS = ("flood", "silent", "endless", "reset", "rotate")
MAX_ROTATE = 16  # replies a `rotate` device cycles through


@dataclass(frozen=True, slots=True)
class RawSpec:
    """Hostile TCP behaviour.

    - `flood`: `size` bytes of `fill` on connect.
    - `silent`: accepts and never answers (slowloris) until the client leaves or `hold` seconds pass.
    - `endless`: after the client's first bytes, `prefix` then `fill` without end, until the client
      leaves or `hold` seconds pass (a stream that never finishes).
    - `reset`: after the client's first bytes, `prefix` (the start of a reply), then a TCP reset.
    - `rotate`: reads one request and answers it with the next of `replies` (wrapping round), then
      closes; `{cseq}` in a reply is the request's CSeq, as an RTSP server echoes it.
    """

    behaviour: str
    size: int = 0
    fill: bytes = b"A"
    hold: float = 120.0
    prefix: bytes = b""
    replies: tuple[bytes, ...] = ()


def raw_spec(where: Where, data: Any) -> RawSpec:
    keys = {"protocol", "behaviour", "size", "fill", "hold", "prefix", "replies"}
    d = check_keys(where, data, keys, {"protocol", "behaviour"})
    behaviour = want(where.child("behaviour"), d["behaviour"], str)
    if behaviour not in RAW_BEHAVIOURS:
        raise where.child("behaviour").error(f"must be one of {', '.join(RAW_BEHAVIOURS)}")
    size = want(where.child("size"), d.get("size", 0), int)
    if not 0 <= size <= MAX_FLOOD:
        raise where.child("size").error(f"must be 0..{MAX_FLOOD}")
    fill = want(where.child("fill"), d.get("fill", "A"), str).encode("utf-8") or b"A"
    hold = float(want(where.child("hold"), d.get("hold", 120.0), (int, float)))
    prefix = want(where.child("prefix"), d.get("prefix", ""), str).encode("utf-8")
    replies = tuple(r.encode("utf-8") for r in str_list(where.child("replies"), d.get("replies", [])))
    if (behaviour == "rotate") != bool(replies) or len(replies) > MAX_ROTATE:
        raise where.child("replies").error(f"'rotate' and only it takes 1..{MAX_ROTATE} replies")
    if behaviour == "reset" and not prefix:
        raise where.child("prefix").error("'reset' sends the start of a reply first: give it")
    return RawSpec(behaviour, size, fill, hold, prefix, replies)


@dataclass(frozen=True, slots=True)
class SsdpSpec:
    """SSDP M-SEARCH replies (UPnP Device Architecture 1.1 §1.3.3), each an ordered list of headers.

    A search for ``ssdp:all`` gets every reply; any other search target gets the replies whose ``ST``
    equals it (case-insensitive), and none is sent when nothing matches, as libupnp does.
    """

    replies: tuple[Headers, ...]


def ssdp_spec(where: Where, data: Any) -> SsdpSpec:
    d = check_keys(where, data, {"protocol", "replies"}, {"protocol", "replies"})
    replies = d["replies"]
    if not isinstance(replies, list) or not replies:
        raise where.child("replies").error("expected a non-empty list of header lists")
    parsed = tuple(headers(where.child("replies").child(str(i)), r) for i, r in enumerate(replies))
    for i, reply in enumerate(parsed):
        if not any(k.lower() == "st" for k, _ in reply):
            raise where.child("replies").child(str(i)).error("a reply needs an ST header")
    return SsdpSpec(parsed)


@dataclass(frozen=True, slots=True)
class MdnsService:
    """One DNS-SD service instance a device advertises (RFC 6763 §4.1): ``<instance>.<type>``, served
    by `host`:`port`, with TXT `txt` pairs in order."""

    type: str
    instance: str
    host: str
    port: int
    txt: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class MdnsSpec:
    """mDNS responder: PTR (or ANY) questions for a listed type get a legacy-unicast answer."""

    services: tuple[MdnsService, ...]


_MDNS_KEYS = {"type", "instance", "host", "port", "txt"}


def mdns_spec(where: Where, data: Any) -> MdnsSpec:
    d = check_keys(where, data, {"protocol", "services"}, {"protocol", "services"})
    if not isinstance(d["services"], list) or not d["services"]:
        raise where.child("services").error("expected a non-empty list of services")
    out = []
    for i, item in enumerate(d["services"]):
        at = where.child("services").child(str(i))
        s = check_keys(at, item, _MDNS_KEYS, _MDNS_KEYS - {"txt"})
        kind, host = want(at.child("type"), s["type"], str), want(at.child("host"), s["host"], str)
        port = want(at.child("port"), s["port"], int)
        if not mdns.is_service_type(kind) or not 0 < port < 65536:
            raise at.error("type must be a DNS-SD service type (_name._tcp.local) and port 1-65535")
        try:
            labels = mdns.split_name(host)
        except ValueError as exc:
            raise at.child("host").error(str(exc)) from None
        if not labels:
            raise at.child("host").error("not a DNS name: empty")
        txt = tuple(str_map(at.child("txt"), s.get("txt", {})).items())
        out.append(MdnsService(kind, want(at.child("instance"), s["instance"], str), host, port, txt))
    return MdnsSpec(tuple(out))
