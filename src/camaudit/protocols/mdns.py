"""Sans-I/O multicast DNS / DNS-SD (UDP 5353): one read-only query, the answers as fields.

A DNS-SD browse asks PTR ``_services._dns-sd._udp.local`` (RFC 6763 §9) and the service types a
camera typically offers (``_http._tcp``, ``_rtsp._tcp``, Axis's ``_axis-video._tcp``, ONVIF's
``_onvif._tcp``…). A query sent from a port other than 5353 is a "legacy unicast" query and is
answered to its sender (RFC 6762 §6.7), which is how camaudit asks an in-scope host directly.
Answers give instance names (often the model: "AXIS M3045-V - ACCC8E…"), the host name (SRV and
A records) and TXT key=value pairs (RFC 6763 §6). Replies are hostile: decoding is bounded by
dpkt's message parser and the caps below.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import dpkt

from camaudit.errors import MessageTooLarge, ProtocolError

PORT = 5353
MULTICAST_GROUP = "224.0.0.251"
MAX_MESSAGE = 9000  # RFC 6762 §17: a multicast DNS message fits in 9000 bytes
MAX_RECORDS = 128
MAX_TXT = 64
SERVICES = "_services._dns-sd._udp.local"
BROWSE = (
    SERVICES,
    "_http._tcp.local",
    "_rtsp._tcp.local",
    "_onvif._tcp.local",
    "_axis-video._tcp.local",
    "_hap._tcp.local",
)


@dataclass(frozen=True, slots=True)
class MdnsAnswer:
    """What one response says: service types, instance names, host names, TXT pairs."""

    services: tuple[str, ...] = ()
    instances: tuple[str, ...] = ()
    hostnames: tuple[str, ...] = ()
    txt: dict[str, str] = field(default_factory=dict)


def build_query(names: tuple[str, ...] = BROWSE, *, query_id: int = 0) -> bytes:
    """A PTR query for each name; the QU bit asks for a unicast reply (RFC 6762 §5.4)."""
    msg = dpkt.dns.DNS(id=query_id, op=0, qd=[], an=[], ns=[], ar=[])
    for name in names:
        question = dpkt.dns.DNS.Q(name=name, type=dpkt.dns.DNS_PTR, cls=0x8001)
        msg.qd.append(question)
    return bytes(msg)


def is_query(data: bytes) -> bool:
    try:
        return bool(dpkt.dns.DNS(data).qr == dpkt.dns.DNS_Q)
    except (dpkt.UnpackError, IndexError, struct.error, UnicodeDecodeError):
        return False


def parse_response(data: bytes) -> MdnsAnswer:
    """Answers and additional records of one response. Raises ProtocolError / MessageTooLarge."""
    if len(data) > MAX_MESSAGE:
        raise MessageTooLarge(f"mDNS message of {len(data)} bytes exceeds {MAX_MESSAGE}")
    try:
        msg = dpkt.dns.DNS(data)
    except (dpkt.UnpackError, IndexError, struct.error, UnicodeDecodeError) as exc:
        raise ProtocolError(f"not a DNS message: {type(exc).__name__}") from None
    if msg.qr != dpkt.dns.DNS_R:
        raise ProtocolError("an mDNS query, not a response")
    return _answer([*msg.an, *msg.ar][:MAX_RECORDS])


def _answer(records: list[dpkt.dns.DNS.RR]) -> MdnsAnswer:
    services: list[str] = []
    instances: list[str] = []
    hosts: list[str] = []
    txt: dict[str, str] = {}
    for rr in records:
        if rr.type == dpkt.dns.DNS_PTR:
            target = str(rr.ptrname)
            (services if rr.name == SERVICES else instances).append(target)
        elif rr.type == dpkt.dns.DNS_SRV:
            hosts.append(str(rr.srvname))
        elif rr.type in (dpkt.dns.DNS_A, dpkt.dns.DNS_AAAA):
            hosts.append(str(rr.name))
        elif rr.type == dpkt.dns.DNS_TXT:
            _txt_pairs(rr.text, txt)
    return MdnsAnswer(_unique(services), _unique(instances), _unique(hosts), txt)


def _txt_pairs(strings: list[bytes | str], out: dict[str, str]) -> None:
    for item in strings:
        if len(out) >= MAX_TXT:
            return
        text = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
        key, sep, value = text.partition("=")
        if sep and key:
            out.setdefault(key.strip().lower(), value)


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i.rstrip(".") for i in items if i))


def observation_fields(answer: MdnsAnswer) -> dict[str, str]:
    """``mdns.services``, ``mdns.instance``, ``mdns.hostname``, ``mdns.txt.<key>`` (fields.yaml)."""
    fields: dict[str, str] = {}
    types = {*answer.services, *(_service_of(i) for i in answer.instances)} - {""}
    if types:
        fields["mdns.services"] = ",".join(sorted(types))
    if answer.instances:
        fields["mdns.instance"] = answer.instances[0]
    if answer.hostnames:
        fields["mdns.hostname"] = answer.hostnames[0]
    fields.update({f"mdns.txt.{k}": v for k, v in answer.txt.items()})
    return fields


def _service_of(instance: str) -> str:
    """``AXIS M3045 - ACCC8E._axis-video._tcp.local`` -> ``_axis-video._tcp.local``."""
    parts = instance.split(".")
    for i, part in enumerate(parts[:-1]):
        if part.startswith("_") and parts[i + 1] in ("_tcp", "_udp"):
            return ".".join(parts[i:])
    return ""


def build_response(
    query_id: int, instance: str, service: str, host: str, address: str, txt: dict[str, str]
) -> bytes:
    """A DNS-SD answer for one service instance (lab side): PTR, SRV, TXT and A."""
    ptr = dpkt.dns.DNS.RR(name=service, type=dpkt.dns.DNS_PTR, cls=1, ttl=120, ptrname=instance)
    srv = dpkt.dns.DNS.RR(
        name=instance, type=dpkt.dns.DNS_SRV, cls=1, ttl=120, priority=0, weight=0, port=80, srvname=host
    )
    strings = [f"{k}={v}".encode() for k, v in txt.items()]
    txt_rr = dpkt.dns.DNS.RR(name=instance, type=dpkt.dns.DNS_TXT, cls=1, ttl=120, text=strings)
    a_rr = dpkt.dns.DNS.RR(name=host, type=dpkt.dns.DNS_A, cls=1, ttl=120, ip=_packed(address))
    msg = dpkt.dns.DNS(id=query_id, qd=[], an=[ptr], ns=[], ar=[srv, txt_rr, a_rr])
    msg.qr = dpkt.dns.DNS_R
    msg.aa = 1
    return bytes(msg)


def _packed(address: str) -> bytes:
    return bytes(int(part) for part in address.split("."))
