"""Sans-I/O parsers for the read-only Hikvision ISAPI documents the authenticated audit reads.

Each parser turns one hostile XML body (defusedxml via `xmlsafe`, size-capped) into a few
vendor-neutral facts (``auth.*`` keys of fields.yaml); nothing else of the configuration is kept.
Element names by local name, so the OEM namespaces (``std-cgi.com``, ``isapi.org``) parse the same
(devices.md §4.1). Sources for the documents: devices.md §4.1 (``deviceInfo`` fields), §8.1
(``EZVIZ``, ``ntpServers``, ``Ehome``), §7.3 (``userCheck``); the others are ISAPI's standard
resources as public clients read them (``/ISAPI/Security/users``, ``adminAccesses``,
``Network/telnetd|ssh|UPnP|DDNS``, ``Event/notification/httpHosts``, ``ContentMgmt/InputProxy/channels``).
User lists keep names and roles only: a ``password`` element, if any firmware sent one, is never read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # Element type only; parsing goes through xmlsafe (defusedxml)
from collections.abc import Callable

from camaudit.errors import ProtocolError
from camaudit.protocols.xmlsafe import (
    child_text,
    children,
    find_child,
    find_path,
    local_name,
    parse_xml,
    text_of,
)

MAX_BODY = 64 * 1024
Facts = dict[str, str]


def _flag(value: str | None) -> str:
    return "enabled" if (value or "").strip().lower() == "true" else "disabled"


def _address(elem: ET.Element | None) -> str:
    """hostName or ipAddress of an ISAPI address block (addressingFormatType decides)."""
    if elem is None:
        return ""
    return child_text(elem, "hostName") or child_text(elem, "ipAddress") or ""


def device_info(root: ET.Element) -> Facts:
    fields = {
        "deviceName": "auth.device.name",
        "model": "auth.device.model",
        "serialNumber": "auth.device.serial",
        "macAddress": "auth.device.mac",
        "deviceType": "auth.device.type",
    }
    facts = {key: value for name, key in fields.items() if (value := child_text(root, name))}
    version = child_text(root, "firmwareVersion")
    build = child_text(root, "firmwareReleasedDate") or ""
    if version:  # "V4.62.210" + "build 230320" is the SADP spelling "V4.62.210 build 230320"
        facts["auth.device.firmware"] = f"{version} {build}".strip()
    return facts


def users(root: ET.Element) -> Facts:
    pairs = [
        f"{child_text(u, 'userName') or '?'}:{child_text(u, 'userLevel') or '?'}"
        for u in children(root, "User")
    ]
    return {"auth.users": ",".join(pairs)}


def admin_accesses(root: ET.Element) -> Facts:
    facts: Facts = {}
    for item in children(root, "AdminAccessProtocol"):
        protocol = (child_text(item, "protocol") or "").lower()
        if protocol.replace("_", "").isalnum():
            facts[f"auth.service.{protocol}"] = (
                f"{_flag(child_text(item, 'enabled'))}:{child_text(item, 'portNo')}"
            )
    return facts


def _service(name: str) -> Callable[[ET.Element], Facts]:
    def parse(root: ET.Element) -> Facts:
        return {f"auth.service.{name}": _flag(child_text(root, "enabled"))}

    return parse


def ezviz(root: ET.Element) -> Facts:
    """Hik-Connect / EZVIZ cloud registration (devices.md §8.1)."""
    return {
        "auth.cloud.hik_connect": _flag(child_text(root, "enabled")),
        "auth.cloud.hik_connect.registered": (child_text(root, "registerStatus") or "unknown").lower(),
        "auth.cloud.hik_connect.server": _address(find_child(root, "serverAddress")),
    }


def ntp_servers(root: ET.Element) -> Facts:
    found = [f"{_address(s)}:{child_text(s, 'portNo') or 123}" for s in children(root, "NTPServer")]
    return {"auth.ntp.servers": ",".join(s for s in found if not s.startswith(":"))}


def ddns(root: ET.Element) -> Facts:
    entries = children(root, "DDNS")
    enabled = [e for e in entries if _flag(child_text(e, "enabled")) == "enabled"]
    facts = {"auth.ddns": "enabled" if enabled else "disabled"}
    if entries:
        first = (enabled or entries)[0]
        server = _address(find_child(first, "serverAddress"))
        facts["auth.ddns.server"] = f"{child_text(first, 'provider') or ''} {server}".strip()
    return facts


def upnp(root: ET.Element) -> Facts:
    return {"auth.upnp": _flag(child_text(root, "enabled"))}


def http_hosts(root: ET.Element) -> Facts:
    """Event push destinations (alarm server / HTTP listening)."""
    found = []
    for host in children(root, "HttpHostNotification"):
        where = child_text(host, "hostName") or child_text(host, "ipAddress") or ""
        if where:
            scheme = (child_text(host, "protocolType") or "http").lower()
            found.append(
                f"{scheme}://{where}:{child_text(host, 'portNo') or ''}{child_text(host, 'url') or ''}"
            )
    return {"auth.event_push": ",".join(found)}


def input_channels(root: ET.Element) -> Facts:
    """NVR channels: the cameras behind the recorder (address, protocol, model when given)."""
    facts: Facts = {}
    channels = children(root, "InputProxyChannel")
    for channel in channels[:256]:
        source = find_child(channel, "sourceInputPortDescriptor")
        if source is None:
            continue
        parts = [_address(source), child_text(source, "proxyProtocol"), child_text(source, "model")]
        facts[f"auth.channel.{text_of(find_child(channel, 'id'))[:8]}"] = " ".join(p for p in parts if p)
    facts["auth.channels"] = str(len(channels))
    return facts


def streaming_channel(root: ET.Element) -> Facts:
    audio = find_path(root, "Audio", "enabled")
    return {"auth.analytics.audio": _flag(text_of(audio))}


def _analytic(name: str) -> Callable[[ET.Element], Facts]:
    def parse(root: ET.Element) -> Facts:
        return {f"auth.analytics.{name}": _flag(child_text(root, "enabled"))}

    return parse


PARSERS: dict[str, Callable[[ET.Element], Facts]] = {
    "DeviceInfo": device_info,
    "UserList": users,
    "AdminAccessProtocolList": admin_accesses,
    "Telnetd": _service("telnet"),
    "SSH": _service("ssh"),
    "EZVIZ": ezviz,
    "NTPServerList": ntp_servers,
    "DDNSList": ddns,
    "UPnP": upnp,
    "HttpHostNotificationList": http_hosts,
    "InputProxyChannelList": input_channels,
    "StreamingChannel": streaming_channel,
    "FaceDetect": _analytic("face_capture"),
    "VehicleDetectCfg": _analytic("anpr"),
    "Counting": _analytic("people_counting"),
}


def parse(body: bytes, expected: str) -> Facts:
    """Facts from one ISAPI document whose root must be `expected` (a PARSERS key).

    Raises:
        ProtocolError: not XML, hostile XML, too large, or another document than asked for.
    """
    root = parse_xml(body, max_size=MAX_BODY)
    if local_name(root.tag) != expected:
        raise ProtocolError(f"expected an ISAPI {expected} document, got {local_name(root.tag)[:40]!r}")
    return {k: v for k, v in PARSERS[expected](root).items() if v}
