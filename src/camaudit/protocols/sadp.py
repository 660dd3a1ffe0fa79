"""Hikvision SADP (Search Active Devices Protocol), UDP/XML variant — sans-I/O codec.

Public sources (see /work/shared/reference/devices.md §1.1):
* julienblitte/UniversalScanner `UniversalScanner/Hikvision.cs` (group 239.255.255.250, port 37020,
  the `<Probe><Uuid/><Types>inquiry</Types></Probe>` request, the `<ProbeMatch>` reply);
* cameronnewman/hikvision-tooling `internal/sadp/scanner.go` (the reply's element names) and
  `internal/sadp/commands.go` (the state-changing message types we must never build).

Only `inquiry` is ever built for the scanner: SADP also carries `activate`, `update`, `reboot`,
`restore`, `resetPassword` …, which change a device. The lab side parses the inquiry and builds
a `<ProbeMatch>` reply; the scanner and pcap analysis parse replies.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from camaudit.errors import ProtocolError
from camaudit.protocols import xmlsafe
from camaudit.values import normalise_mac as normalise_mac  # one spelling of a MAC, also for callers here

PORT = 37020
MULTICAST_GROUP = "239.255.255.250"  # shared with SSDP/WS-Discovery; SADP differs by port only
MAX_SIZE = 16 * 1024  # real replies are 1–2 KiB; a UDP datagram cannot exceed 64 KiB anyway
MAX_FIELDS = 256
INQUIRY = "inquiry"

_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'


@dataclass(frozen=True, slots=True)
class SadpInquiry:
    """A parsed `<Probe>` request (lab side).

    Attributes:
        uuid: the request's Uuid text, echoed in the reply.
        types: the Types text (`inquiry`; newer tools also send `inquiry_v32`).
    """

    uuid: str
    types: str


@dataclass(frozen=True, slots=True)
class SadpReply:
    """A parsed `<ProbeMatch>` reply.

    Attributes:
        fields: every child element, local name -> stripped text, in document order (the first
            occurrence wins when a name repeats).
    """

    fields: dict[str, str] = field(default_factory=dict)

    @property
    def model(self) -> str | None:
        return self.fields.get("DeviceDescription")

    @property
    def serial(self) -> str | None:
        return self.fields.get("DeviceSN")

    @property
    def mac(self) -> str | None:
        """`MAC` (sent dash-separated, `00-11-22-33-44-55`) as `aa:bb:cc:dd:ee:ff`, or None."""
        return normalise_mac(self.fields.get("MAC", ""))

    @property
    def ipv4(self) -> str | None:
        return self.fields.get("IPv4Address")

    @property
    def software_version(self) -> str | None:
        """Firmware, `V<x.y.z>build <YYMMDD>` on real devices."""
        return self.fields.get("SoftwareVersion")

    @property
    def dsp_version(self) -> str | None:
        return self.fields.get("DSPVersion")

    @property
    def activated(self) -> bool | None:
        """False means no admin password has been set yet (the device is open to `activate`)."""
        return _boolean(self.fields.get("Activated"))

    @property
    def hc_platform_enabled(self) -> bool | None:
        """Hik-Connect cloud P2P enabled; semantics inferred from the name (devices.md §11)."""
        return _boolean(self.fields.get("HCPlatformEnable"))


def _boolean(value: str | None) -> bool | None:
    if value is None:
        return None
    return {"true": True, "false": False}.get(value.strip().lower())


def build_inquiry(uuid: str | None = None) -> bytes:
    """The SADP inquiry — the only SADP message camaudit builds (read-only).

    `uuid` defaults to a fresh random UUID; it is sent upper-case as UniversalScanner does.

    Raises:
        ValueError: `uuid` is not a UUID.
    """
    value = uuidlib.UUID(uuid) if uuid is not None else uuidlib.uuid4()
    text = str(value).upper()
    return f"{_DECLARATION}<Probe><Uuid>{text}</Uuid><Types>{INQUIRY}</Types></Probe>".encode()


def parse_inquiry(data: bytes) -> SadpInquiry:
    """Parse a `<Probe>` request (lab side). Raises ProtocolError."""
    root = xmlsafe.parse_xml(data, max_size=MAX_SIZE)
    if xmlsafe.local_name(root.tag) != "Probe":
        raise ProtocolError("SADP request root is not <Probe>")
    uuid = xmlsafe.child_text(root, "Uuid")
    types = xmlsafe.child_text(root, "Types")
    if uuid is None or types is None:
        raise ProtocolError("SADP <Probe> lacks <Uuid> or <Types>")
    return SadpInquiry(uuid=uuid, types=types)


def build_reply(fields: Mapping[str, str], uuid: str) -> bytes:
    """A `<ProbeMatch>` (lab side): Uuid, Types=inquiry, then `fields` in the given order.

    `Uuid`/`Types` keys in `fields` are ignored (they come first, from `uuid`). Values are
    XML-escaped; lines end in CRLF as in the UniversalScanner selftest packet.

    Raises:
        ValueError: a key is not a plain XML name, or a value holds a character XML cannot carry.
    """
    lines = [
        _DECLARATION,
        "<ProbeMatch>",
        f"<Uuid>{xmlsafe.escape(uuid)}</Uuid>",
        f"<Types>{INQUIRY}</Types>",
    ]
    for name, value in fields.items():
        if name in ("Uuid", "Types"):
            continue
        tag = xmlsafe.check_name(name)
        lines.append(f"<{tag}>{xmlsafe.escape(value)}</{tag}>")
    lines.append("</ProbeMatch>")
    return "\r\n".join(lines).encode()


def parse_reply(data: bytes) -> SadpReply:
    """Parse a `<ProbeMatch>` reply into its element texts. Raises ProtocolError."""
    root = xmlsafe.parse_xml(data, max_size=MAX_SIZE)
    if xmlsafe.local_name(root.tag) != "ProbeMatch":
        raise ProtocolError("SADP reply root is not <ProbeMatch>")
    if len(root) > MAX_FIELDS:
        raise ProtocolError(f"SADP reply has more than {MAX_FIELDS} elements")
    fields: dict[str, str] = {}
    for child in root:
        fields.setdefault(xmlsafe.local_name(child.tag), xmlsafe.text_of(child))
    return SadpReply(fields=fields)


def observation_fields(reply: SadpReply) -> dict[str, str]:
    """`sadp.<Element>` for every reply element (fields.yaml `sadp.*`), values as sent."""
    return {f"sadp.{name}": value for name, value in reply.fields.items()}
