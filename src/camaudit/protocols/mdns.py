"""Sans-I/O multicast DNS / DNS-SD (UDP 5353): one read-only query, the answers as fields.

camaudit asks PTR questions (RFC 6763 §4.1 browsing) for the DNS-SD meta-query
``_services._dns-sd._udp.local`` (§9) and the service types cameras offer: ``_http._tcp``,
``_rtsp._tcp``, ONVIF's ``_onvif._tcp``, Axis's ``_axis-video._tcp`` (netdisco ``discoverables/axis.py``,
Home Assistant's axis manifest) and Hikvision's ``_CGI._tcp`` (128keaton/hikvision-mdns). A query sent
from a port other than 5353 is a "legacy unicast" query, answered to its sender with the question
repeated (RFC 6762 §6.7): that is how camaudit asks an in-scope host directly, and why its multicast
query (sent from an ephemeral port) is answered by unicast too.

Answers give instance names (often the model: "AXIS M1014 - ACCC8E270AD8", "HIKVISION DS-2CD2722FWD-IZS
- 733050075"), the host name (SRV target, A/AAAA owner) and TXT key=value pairs (RFC 6763 §6; Axis's
``macaddress``). The message parser is our own, after RFC 1035 §4.1, because replies are hostile: the
message is capped at 9000 bytes (RFC 6762 §17), records and TXT pairs are counted, names are capped at
255 bytes, and a compression pointer must point strictly backwards, which rules out pointer loops
(RFC 1035 §4.1.4 only ever points at a prior occurrence). TXT strings are bytes (RFC 6763 §6.5): they
are decoded leniently, never rejected. Every failure is a `ProtocolError`.
"""

from __future__ import annotations

import ipaddress
import re
import struct
from dataclasses import dataclass, field

from camaudit.errors import MessageTooLarge, ProtocolError

PORT = 5353
MULTICAST_GROUP = "224.0.0.251"
MAX_MESSAGE = 9000  # RFC 6762 §17: a multicast DNS message fits in 9000 bytes
MAX_QUESTIONS = 32
MAX_RECORDS = 128
MAX_TXT = 64
MAX_NAME = 255  # RFC 1035 §2.3.4
MAX_HOPS = 32  # compression pointers followed in one name
MAX_VALUE = 256
TYPE_A, TYPE_PTR, TYPE_TXT, TYPE_AAAA, TYPE_SRV = 1, 12, 16, 28, 33
CLASS_IN = 1
QU_BIT = 0x8000  # RFC 6762 §5.4: in a question's class, "unicast response requested"
FLAG_RESPONSE, FLAG_AA = 0x8000, 0x0400
LEGACY_TTL = 10  # RFC 6762 §6.7: legacy unicast answers carry TTLs of at most 10 s
SERVICES = "_services._dns-sd._udp.local"
BROWSE = (
    SERVICES,
    "_http._tcp.local",
    "_rtsp._tcp.local",
    "_onvif._tcp.local",
    "_axis-video._tcp.local",
    "_CGI._tcp.local",
    "_hap._tcp.local",
)
_SERVICE_TYPE = re.compile(r"^_[A-Za-z0-9-]{1,15}\._(?:tcp|udp)\.local\Z")  # RFC 6763 §7
_TXT_KEY = re.compile(r"^[\x21-\x3c\x3e-\x7e]{1,64}\Z")  # RFC 6763 §6.4: printable ASCII, no '='
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_HEADER = struct.Struct(">HHHHHH")

Name = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Question:
    """One question: the name (labels), the type, and whether a unicast answer was asked (QU)."""

    name: Name
    type: int
    unicast: bool = False

    @property
    def text(self) -> str:
        return name_text(self.name)


@dataclass(frozen=True, slots=True)
class Record:
    """One resource record of a type camaudit reads (others are skipped while parsing).

    Attributes:
        name: owner name (labels).
        type: TYPE_A, TYPE_PTR, TYPE_TXT, TYPE_AAAA or TYPE_SRV.
        target: PTR/SRV target name (labels); () for other types.
        address: A/AAAA address text; "" for other types.
        port: SRV port; 0 for other types.
        strings: TXT character-strings (RFC 1035 §3.3.14), as bytes.
        ttl: seconds the record may be cached.
    """

    name: Name
    type: int
    ttl: int = 0
    target: Name = ()
    address: str = ""
    port: int = 0
    strings: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class Message:
    """A DNS message: id, flags, questions and the records of all three record sections."""

    id: int
    flags: int
    questions: tuple[Question, ...]
    records: tuple[Record, ...]

    @property
    def is_response(self) -> bool:
        return bool(self.flags & FLAG_RESPONSE)

    @property
    def opcode(self) -> int:
        return (self.flags >> 11) & 0xF


@dataclass(frozen=True, slots=True)
class MdnsAnswer:
    """What one response says: service types, instance names, host names, TXT pairs."""

    services: tuple[str, ...] = ()
    instances: tuple[str, ...] = ()
    hostnames: tuple[str, ...] = ()
    txt: dict[str, str] = field(default_factory=dict)


# --- names ------------------------------------------------------------------------------------------


def split_name(text: str) -> Name:
    """``a.b.local`` -> ("a", "b", "local"); RFC 1035 §2.3.4 limits (63-byte labels, 255 in all)."""
    labels = tuple(text.rstrip(".").split(".")) if text.strip(".") else ()
    encoded = [label.encode("utf-8") for label in labels]
    if any(not 0 < len(e) < 64 for e in encoded) or sum(len(e) + 1 for e in encoded) + 1 > MAX_NAME:
        raise ValueError(f"not a DNS name: {text!r}")
    return labels


def name_text(name: Name) -> str:
    """Labels joined by dots; a dot or backslash inside a label is escaped (RFC 6763 §4.3)."""
    return ".".join(label.replace("\\", "\\\\").replace(".", "\\.") for label in name)


def _same(a: Name, b: Name) -> bool:
    """DNS names compare case-insensitively (RFC 1035 §2.3.3; RFC 6762 §16 for non-ASCII)."""
    return len(a) == len(b) and all(x.casefold() == y.casefold() for x, y in zip(a, b, strict=True))


def _pack_name(name: Name) -> bytes:
    return b"".join(bytes([len(e)]) + e for e in (label.encode("utf-8") for label in name)) + b"\0"


def _read_name(data: bytes, off: int) -> tuple[Name, int]:
    """Labels at `off` and the offset after the name (after the first pointer, if any).

    Each pointer must point before the start of the stretch of labels it ends, so the places jumped
    to strictly decrease: a crafted loop fails instead of spinning (and MAX_HOPS caps it anyway).
    """
    labels: list[str] = []
    end: int | None = None
    total, hops, pos, floor = 1, 0, off, off
    while True:
        length = _byte(data, pos)
        if length == 0:
            return tuple(labels), (pos + 1 if end is None else end)
        if length & 0xC0 == 0xC0:
            pointer = ((length & 0x3F) << 8) | _byte(data, pos + 1)
            hops += 1
            if pointer >= floor or hops > MAX_HOPS:
                raise ProtocolError("DNS compression pointer does not point backwards")
            end = pos + 2 if end is None else end
            pos = floor = pointer
            continue
        if length & 0xC0:
            raise ProtocolError(f"DNS label type {length >> 6} is not supported")
        total += length + 1
        if total > MAX_NAME or pos + 1 + length > len(data):
            raise ProtocolError("DNS name is too long or truncated")
        labels.append(data[pos + 1 : pos + 1 + length].decode("utf-8", "replace"))
        pos += 1 + length


def _byte(data: bytes, pos: int) -> int:
    if pos >= len(data):
        raise ProtocolError("DNS message is truncated")
    return data[pos]


# --- messages ---------------------------------------------------------------------------------------


def parse_message(data: bytes) -> Message:
    """Any DNS message (RFC 1035 §4.1). Raises ProtocolError / MessageTooLarge."""
    if len(data) > MAX_MESSAGE:
        raise MessageTooLarge(f"mDNS message of {len(data)} bytes exceeds {MAX_MESSAGE}")
    if len(data) < _HEADER.size:
        raise ProtocolError("shorter than a DNS header")
    ident, flags, qdcount, ancount, nscount, arcount = _HEADER.unpack_from(data)
    if qdcount > MAX_QUESTIONS:
        raise ProtocolError(f"{qdcount} questions (more than {MAX_QUESTIONS})")
    off, questions = _HEADER.size, []
    for _ in range(qdcount):
        name, off = _read_name(data, off)
        qtype, qclass = _fixed(">HH", data, off)
        questions.append(Question(name, qtype, bool(qclass & QU_BIT)))
        off += 4
    records: list[Record] = []
    for _ in range(min(ancount + nscount + arcount, MAX_RECORDS)):
        record, off = _read_record(data, off)
        if record is not None:
            records.append(record)
    return Message(ident, flags, tuple(questions), tuple(records))


def _fixed(fmt: str, data: bytes, off: int) -> tuple[int, ...]:
    try:
        return struct.unpack_from(fmt, data, off)
    except struct.error:
        raise ProtocolError("DNS message is truncated") from None


def _read_record(data: bytes, off: int) -> tuple[Record | None, int]:
    name, off = _read_name(data, off)
    rtype, _rclass, ttl, rdlength = _fixed(">HHIH", data, off)
    start, end = off + 10, off + 10 + rdlength
    if end > len(data):
        raise ProtocolError("DNS record data is truncated")
    rdata = data[start:end]
    if rtype == TYPE_PTR:
        return Record(name, rtype, ttl, target=_read_name(data, start)[0]), end
    if rtype == TYPE_SRV and rdlength >= 7:
        port = struct.unpack_from(">H", data, start + 4)[0]
        return Record(name, rtype, ttl, target=_read_name(data, start + 6)[0], port=port), end
    if (rtype, rdlength) in ((TYPE_A, 4), (TYPE_AAAA, 16)):
        return Record(name, rtype, ttl, address=str(ipaddress.ip_address(rdata))), end
    if rtype == TYPE_TXT:
        return Record(name, rtype, ttl, strings=_strings(rdata)), end
    return None, end


def _strings(rdata: bytes) -> tuple[bytes, ...]:
    """TXT character-strings; a length running past the end keeps what is there."""
    out: list[bytes] = []
    pos = 0
    while pos < len(rdata) and len(out) < MAX_TXT:
        length = rdata[pos]
        out.append(rdata[pos + 1 : pos + 1 + length])
        pos += 1 + length
    return tuple(out)


def parse_response(data: bytes) -> MdnsAnswer:
    """What one response announces. Raises ProtocolError / MessageTooLarge (a query is not a response)."""
    message = parse_message(data)
    if not message.is_response:
        raise ProtocolError("an mDNS query, not a response")
    return answer_of(message.records)


def answer_of(records: tuple[Record, ...]) -> MdnsAnswer:
    services: list[str] = []
    instances: list[str] = []
    hosts: list[str] = []
    txt: dict[str, str] = {}
    meta = split_name(SERVICES)
    for rr in records:
        if rr.type == TYPE_PTR:
            (services if _same(rr.name, meta) else instances).append(name_text(rr.target))
        elif rr.type == TYPE_SRV:
            hosts.append(name_text(rr.target))
        elif rr.type in (TYPE_A, TYPE_AAAA):
            hosts.append(name_text(rr.name))
        elif rr.type == TYPE_TXT:
            _txt_pairs(rr.strings, txt)
    return MdnsAnswer(_unique(services), _unique(instances), _unique(hosts), txt)


def _txt_pairs(strings: tuple[bytes, ...], out: dict[str, str]) -> None:
    for item in strings:
        key, sep, value = item.partition(b"=")
        text = key.decode("ascii", "replace")
        if sep and _TXT_KEY.match(text) and len(out) < MAX_TXT:
            out.setdefault(text.lower(), _clean(value.decode("utf-8", "replace")))


def _clean(text: str) -> str:
    return _CONTROL.sub("", text).strip()[:MAX_VALUE]


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for c in (_clean(i) for i in items) if c))


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
    match = re.search(r"(?:^|(?<!\\)\.)(_[^.]+\._(?:tcp|udp)(?:\.[^.]+)*)\Z", instance)
    return match.group(1) if match else ""


# --- building -----------------------------------------------------------------------------------------


def is_service_type(name: str) -> bool:
    return name == SERVICES or bool(_SERVICE_TYPE.match(name))


def build_query(names: tuple[str, ...] = BROWSE, *, query_id: int = 0) -> bytes:
    """One PTR question per name, QU bit set (RFC 6762 §5.4); no answers, no flags."""
    if not names or len(names) > MAX_QUESTIONS or not all(map(is_service_type, names)):
        raise ValueError(f"not DNS-SD service types: {names!r}")
    body = b"".join(
        _pack_name(split_name(n)) + struct.pack(">HH", TYPE_PTR, CLASS_IN | QU_BIT) for n in names
    )
    return _HEADER.pack(query_id & 0xFFFF, 0, len(names), 0, 0, 0) + body


def is_query(data: bytes) -> bool:
    """A standard query (QR 0, opcode 0) with at least one question."""
    try:
        message = parse_message(data)
    except ProtocolError:
        return False
    return not message.is_response and message.opcode == 0 and bool(message.questions)


@dataclass(frozen=True, slots=True)
class ServiceInstance:
    """One advertised service (lab side): ``<instance>.<service>`` on `host`:`port` with TXT pairs."""

    service: str
    instance: str
    host: str
    port: int
    txt: tuple[tuple[str, str], ...] = ()


def build_response(query: Message, offered: ServiceInstance, address: str, *, ttl: int = LEGACY_TTL) -> bytes:
    """A legacy-unicast answer (RFC 6762 §6.7: same id, questions repeated): PTR, then SRV, TXT, A."""
    service, host = split_name(offered.service), split_name(offered.host)
    instance = (offered.instance, *service)
    strings = [f"{k}={v}".encode() for k, v in offered.txt] or [b""]  # RFC 6763 §6.1: never empty
    txt = b"".join(bytes([len(s)]) + s for s in strings)
    srv = struct.pack(">HHH", 0, 0, offered.port) + _pack_name(host)
    records = [
        _rr(service, TYPE_PTR, ttl, _pack_name(instance)),
        _rr(instance, TYPE_SRV, ttl, srv),
        _rr(instance, TYPE_TXT, ttl, txt),
        _rr(host, TYPE_A, ttl, ipaddress.IPv4Address(address).packed),
    ]
    questions = b"".join(_pack_name(q.name) + struct.pack(">HH", q.type, CLASS_IN) for q in query.questions)
    header = _HEADER.pack(query.id, FLAG_RESPONSE | FLAG_AA, len(query.questions), 1, 0, 3)
    return header + questions + b"".join(records)


def _rr(name: Name, rtype: int, ttl: int, rdata: bytes) -> bytes:
    return _pack_name(name) + struct.pack(">HHIH", rtype, CLASS_IN, ttl, len(rdata)) + rdata


def asks_for(query: Message, offered: ServiceInstance) -> bool:
    """Does the query have a PTR (or ANY) question for the offered service type?"""
    service = split_name(offered.service)
    return any(q.type in (TYPE_PTR, 255) and _same(q.name, service) for q in query.questions)
