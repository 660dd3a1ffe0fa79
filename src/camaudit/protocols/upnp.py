"""Sans-I/O SSDP discovery and UPnP device descriptions (UDP 1900, then one HTTP GET).

SSDP is HTTP-shaped text over UDP (UPnP Device Architecture 1.1 §1.3, 2.0 §1.3). camaudit sends only
the read-only ``M-SEARCH`` (§1.3.2) and reads the replies' ``SERVER``, ``LOCATION``, ``ST`` and ``USN``
headers (§1.3.3); then, only for a host in scope and only when LOCATION names that very host over plain
HTTP, one GET of the description (§2.1, §2.3), whose first ``<device>`` names ``manufacturer``,
``modelName``, ``modelNumber``, ``serialNumber``, ``friendlyName`` (§2.3).

The same M-SEARCH goes unicast to each host and to the group: its HOST is always the group's, as
nmap's ``upnp-info`` script sends it unicast, and it always carries MX, which libupnp 1.6 (the
"Portable SDK for UPnP devices" in Axis firmware) requires before it answers (UDA 1.1 only makes MX
optional for unicast). Replies are hostile input: sizes and values are capped, control characters
dropped, and XML goes through `xmlsafe` (defusedxml: no DTD, no entities, no external references).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import xmlsafe

PORT = 1900
MULTICAST_GROUP = "239.255.255.250"
MAX_MESSAGE = 4096  # an M-SEARCH or its reply is a head of ~300 bytes
MAX_DESCRIPTION = 64 * 1024  # device descriptions are 1-10 kB; some list many services
MAX_VALUE = 1024  # characters kept of one header value
MAX_DEVICE_VALUE = 256  # characters kept of one description value (UDA: "SHOULD be < 64")
MAX_PATH = 2048  # longest description path we would ask for (ReadOnlyRequest.MAX_PATH)
MAX_HEADERS = 64
ROOT_DEVICE = "upnp:rootdevice"
# What the description's <device> element says about the device (UDA 2.0 §2.3).
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
# UDA §1.3.2 search targets: all, root devices, one device, or a device/service type (vendor types too).
_SEARCH_TARGET = re.compile(
    r"^(?:ssdp:all|upnp:rootdevice|uuid:[\x21-\x7e]{1,128}"
    r"|urn:[A-Za-z0-9.-]{1,64}:(?:device|service):[A-Za-z0-9_.-]{1,64}:\d{1,4})\Z"
)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")  # C0/C1 controls (tab is kept)
_METHOD = re.compile(r"^[A-Za-z][A-Za-z-]{0,31}\Z")
_PATH = re.compile(r"^/[\x21-\x7e]*\Z")  # RFC 9112 §3.2 request-target: no SP, CR, LF or controls


@dataclass(frozen=True, slots=True)
class SsdpReply:
    """One M-SEARCH reply or NOTIFY: its headers by lower-case name (first occurrence)."""

    start_line: str
    headers: dict[str, str]

    @property
    def location(self) -> str | None:
        return self.headers.get("location")


@dataclass(frozen=True, slots=True)
class SsdpRequest:
    """A request a device receives (lab side): method, request-target and headers by lower-case name."""

    method: str
    target: str
    headers: dict[str, str]

    @property
    def is_search(self) -> bool:
        """A well-formed discovery search (UDA §1.3.2: ``M-SEARCH *`` with ``MAN: "ssdp:discover"``)."""
        return (
            self.method == "M-SEARCH"
            and self.target == "*"
            and self.headers.get("man", "").strip('"') == "ssdp:discover"
        )


def is_search_target(target: str) -> bool:
    return bool(_SEARCH_TARGET.match(target))


def build_msearch(target: str = ROOT_DEVICE, *, wait: int = 1) -> bytes:
    """The read-only M-SEARCH (UDA 1.1 §1.3.2), the same bytes for unicast and multicast."""
    if not is_search_target(target):
        raise ValueError(f"not an SSDP search target: {target!r}")
    lines = [
        "M-SEARCH * HTTP/1.1",
        f"HOST: {MULTICAST_GROUP}:{PORT}",
        'MAN: "ssdp:discover"',
        f"MX: {max(1, min(wait, 5))}",
        f"ST: {target}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def is_msearch(data: bytes) -> bool:
    return data.startswith(b"M-SEARCH * HTTP/1.1\r\n")


def _head(data: bytes) -> tuple[str, dict[str, str]]:
    """(start line, headers) of an HTTPU message; bounded, controls removed."""
    if len(data) > MAX_MESSAGE:
        raise MessageTooLarge(f"SSDP message of {len(data)} bytes exceeds {MAX_MESSAGE}")
    lines = data.decode("latin-1").replace("\r\n", "\n").split("\n")
    headers: dict[str, str] = {}
    for line in lines[1 : MAX_HEADERS + 1]:
        if not line.strip():
            break
        name, sep, value = line.partition(":")
        name = name.strip().lower()
        if sep and name and not _CONTROL.search(name):
            headers.setdefault(name, _clean(value, MAX_VALUE))
    return lines[0].strip(), headers


def _clean(value: str, limit: int) -> str:
    return _CONTROL.sub("", value).strip()[:limit]


def parse_reply(data: bytes) -> SsdpReply:
    """A ``200`` M-SEARCH reply or a NOTIFY (UDA §1.2.2, §1.3.3). Raises ProtocolError / MessageTooLarge."""
    start, headers = _head(data)
    parts = start.split(" ", 2)
    is_reply = len(parts) >= 2 and parts[0] in ("HTTP/1.0", "HTTP/1.1") and parts[1] == "200"
    if not (is_reply or start.startswith("NOTIFY * HTTP/1.")):
        raise ProtocolError(f"not an SSDP reply: {_clean(start, 40)!r}")
    return SsdpReply(_clean(start, 80), headers)


def parse_request(data: bytes) -> SsdpRequest:
    """An HTTPU request line and headers (lab side). Raises ProtocolError / MessageTooLarge."""
    start, headers = _head(data)
    parts = start.split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or not _METHOD.match(parts[0]):
        raise ProtocolError(f"not an SSDP request: {_clean(start, 40)!r}")
    return SsdpRequest(parts[0], parts[1][:256], headers)


def build_reply(headers: list[tuple[str, str]]) -> bytes:
    """An M-SEARCH reply (lab side), headers in the order given."""
    lines = ["HTTP/1.1 200 OK", *(f"{k}: {v}".rstrip() for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def reply_fields(reply: SsdpReply) -> dict[str, str]:
    """``ssdp.server``, ``ssdp.location``, ``ssdp.st``, ``ssdp.usn`` (fields.yaml)."""
    return {f"ssdp.{key}": reply.headers[key] for key in REPLY_HEADERS if key in reply.headers}


def location_target(location: str, host: str) -> tuple[int, str] | None:
    """(port, path) of a LOCATION URL when it points at `host` over plain HTTP, else None.

    A reply may name any URL: another host, another scheme, a user-info trick, a path that could not
    be sent. camaudit fetches only ``http://<the very address that answered>[:port]/path``; the address
    must be spelt exactly as `host` (no decimal, octal or zero-padded forms of it).
    """
    text = location.strip()
    try:
        url = urlsplit(text)
        port = url.port if url.port is not None else 80
    except ValueError:
        return None
    if url.scheme != "http" or url.username is not None or url.hostname != host.lower():
        return None
    if not 0 < port < 65536 or url.netloc.rsplit("@", 1)[-1].lower() not in _authorities(host, port):
        return None
    path = f"{url.path or '/'}?{url.query}" if url.query else url.path or "/"
    return (port, path) if len(path) <= MAX_PATH and _PATH.match(path) else None


def _authorities(host: str, port: int) -> set[str]:
    name = f"[{host.lower()}]" if ":" in host else host.lower()
    spelt = {f"{name}:{port}"}
    return spelt | {name} if port == 80 else spelt


def parse_description(data: bytes) -> dict[str, str]:
    """The first ``<device>`` element's identity keys. Raises ProtocolError / MessageTooLarge."""
    root = xmlsafe.parse_xml(data, max_size=MAX_DESCRIPTION)
    if xmlsafe.local_name(root.tag) != "root":
        raise ProtocolError("UPnP description root is not <root>")
    device = xmlsafe.find_child(root, "device")
    if device is None:
        raise ProtocolError("UPnP description has no <device>")
    found = {key: xmlsafe.child_text(device, key) for key in DEVICE_KEYS}
    return {key: _clean(value, MAX_DEVICE_VALUE) for key, value in found.items() if value}


def description_fields(description: dict[str, str]) -> dict[str, str]:
    """``upnp.<key>`` for each identity key of the description (fields.yaml ``upnp.*``)."""
    return {f"upnp.{key}": value for key, value in description.items() if value}


def build_description(device: dict[str, str]) -> bytes:
    """A minimal device description (tests), keys in the order given."""
    body = "".join(f"<{xmlsafe.check_name(k)}>{xmlsafe.escape(v)}</{k}>" for k, v in device.items())
    return (
        '<?xml version="1.0"?>\r\n<root xmlns="urn:schemas-upnp-org:device-1-0">'
        f"<specVersion><major>1</major><minor>0</minor></specVersion><device>{body}</device></root>"
    ).encode()
