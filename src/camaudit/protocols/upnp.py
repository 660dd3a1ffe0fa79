"""Sans-I/O SSDP discovery and UPnP device descriptions (UDP 1900, then one HTTP GET).

SSDP is HTTP-shaped text over UDP (UPnP Device Architecture 2.0 §1.3). camaudit sends only the
read-only ``M-SEARCH`` (§1.3.2) and reads the replies' ``SERVER``, ``LOCATION``, ``ST`` and ``USN``
headers; then, only for a host in scope, one GET of the ``LOCATION`` description (§2.3), whose
``<device>`` element names ``manufacturer``, ``modelName``, ``modelNumber``, ``serialNumber``,
``friendlyName`` (§2.3, table 2-3). Cameras from Hikvision, Dahua, Axis and most NVRs answer it.
Replies are hostile input: sizes are capped and XML goes through `xmlsafe` (defusedxml).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import xmlsafe

PORT = 1900
MULTICAST_GROUP = "239.255.255.250"
MAX_REPLY = 4096  # an M-SEARCH reply is a head of ~300 bytes
MAX_DESCRIPTION = 64 * 1024  # device descriptions are 1-10 kB; some list many services
# What the description's <device> element says about the device (UDA 2.0 table 2-3).
DEVICE_KEYS = (
    "deviceType",
    "friendlyName",
    "manufacturer",
    "manufacturerURL",
    "modelDescription",
    "modelName",
    "modelNumber",
    "modelURL",
    "serialNumber",
    "UDN",
    "presentationURL",
)
REPLY_HEADERS = ("server", "location", "st", "usn")


@dataclass(frozen=True, slots=True)
class SsdpReply:
    """One M-SEARCH reply or NOTIFY: its headers by lower-case name (first occurrence)."""

    start_line: str
    headers: dict[str, str]

    @property
    def location(self) -> str | None:
        return self.headers.get("location")


def build_msearch(target: str = "ssdp:all", *, wait: int = 1, unicast_host: str | None = None) -> bytes:
    """The read-only M-SEARCH (UDA 2.0 §1.3.2); unicast when `unicast_host` is given (no MX then)."""
    host = f"{unicast_host}:{PORT}" if unicast_host else f"{MULTICAST_GROUP}:{PORT}"
    lines = ["M-SEARCH * HTTP/1.1", f"HOST: {host}", 'MAN: "ssdp:discover"', f"ST: {target}"]
    if unicast_host is None:
        lines.append(f"MX: {max(1, min(wait, 5))}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def is_msearch(data: bytes) -> bool:
    return data.startswith(b"M-SEARCH * HTTP/1.1\r\n")


def parse_reply(data: bytes) -> SsdpReply:
    """An SSDP reply or NOTIFY head. Raises ProtocolError / MessageTooLarge."""
    if len(data) > MAX_REPLY:
        raise MessageTooLarge(f"SSDP message of {len(data)} bytes exceeds {MAX_REPLY}")
    text = data.decode("latin-1")
    lines = text.replace("\r\n", "\n").split("\n")
    start = lines[0].strip()
    if not (start.startswith("HTTP/1.") or start.startswith("NOTIFY ")):
        raise ProtocolError(f"not an SSDP reply: {start[:40]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line.strip():
            break
        name, sep, value = line.partition(":")
        if sep and name.strip():
            headers.setdefault(name.strip().lower(), value.strip())
    return SsdpReply(start, headers)


def build_reply(headers: list[tuple[str, str]]) -> bytes:
    """An M-SEARCH reply (lab side)."""
    lines = ["HTTP/1.1 200 OK", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def reply_fields(reply: SsdpReply) -> dict[str, str]:
    """``ssdp.server``, ``ssdp.location``, ``ssdp.st``, ``ssdp.usn`` (fields.yaml)."""
    return {f"ssdp.{key}": reply.headers[key] for key in REPLY_HEADERS if key in reply.headers}


def location_target(location: str, host: str) -> tuple[int, str] | None:
    """(port, path) of a LOCATION URL when it points at `host` over plain HTTP, else None.

    A reply may name any URL; camaudit fetches only from the host that answered (in scope).
    """
    try:
        url = urlsplit(location)
        port = url.port or 80
    except ValueError:
        return None
    if url.scheme != "http" or url.hostname != host or not 0 < port < 65536:
        return None
    path = url.path or "/"
    return port, f"{path}?{url.query}" if url.query else path


def parse_description(data: bytes) -> dict[str, str]:
    """The first ``<device>`` element's identity keys. Raises ProtocolError / MessageTooLarge."""
    root = xmlsafe.parse_xml(data, max_size=MAX_DESCRIPTION)
    if xmlsafe.local_name(root.tag) != "root":
        raise ProtocolError("UPnP description root is not <root>")
    device = xmlsafe.find_child(root, "device")
    if device is None:
        raise ProtocolError("UPnP description has no <device>")
    found = {key: xmlsafe.child_text(device, key) for key in DEVICE_KEYS}
    return {key: value for key, value in found.items() if value}


def description_fields(description: dict[str, str]) -> dict[str, str]:
    """``upnp.<key>`` for each identity key of the description (fields.yaml ``upnp.*``)."""
    return {f"upnp.{key}": value for key, value in description.items()}


def build_description(device: dict[str, str]) -> bytes:
    """A minimal device description (lab side), keys in UDA order."""
    body = "".join(f"<{k}>{xmlsafe.escape(v)}</{k}>" for k, v in device.items())
    return (
        '<?xml version="1.0"?>\r\n<root xmlns="urn:schemas-upnp-org:device-1-0">'
        f"<specVersion><major>1</major><minor>0</minor></specVersion><device>{body}</device></root>"
    ).encode()
