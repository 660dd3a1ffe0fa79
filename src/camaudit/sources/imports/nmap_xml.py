"""nmap ``-oX`` (and masscan ``-oX``, which writes the same ``<nmaprun>`` document) host by host.

Element and attribute names are nmap's DTD (https://nmap.org/book/nmap-dtd.html): ``host`` with
``address`` (``addrtype`` ipv4/ipv6/mac, ``vendor``), ``ports/port`` with ``state`` and ``service``
(``product``, ``version``, ``extrainfo``, ``devicetype``, ``ostype``, ``servicefp``, ``cpe``) and
``script`` (``id``, ``output``, ``elem``/``table``), and ``os/osmatch/osclass``.

What the device itself said becomes what a probe would have recorded: NSE's ``http-server-header``,
``http-headers``, ``http-title`` and ``http-auth`` one HTTP response per port, ``rtsp-methods`` an RTSP
OPTIONS answer, ``ssl-cert`` the certificate (from its PEM), ``banner`` the greeting, and the replies in
a ``servicefp`` (a service nmap could not name) the responses they are. What nmap concluded from them
(product, version, device type, CPE, OS guess) is kept apart as an ``import.claim``: weak evidence.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # the Element type only; parsing is defused (_xml)
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

from camaudit.model import Observation
from camaudit.sources.imports import _banners, _services, _xml
from camaudit.sources.imports._base import Format, ImportProblem, Item, Record, claim, epoch

SOURCE = "import:nmap"
MASSCAN_SOURCE = "import:masscan"
_NO_TITLE = "Site doesn't have a title"
_OPEN = ("open", "open|filtered")
_HTTP_SCRIPTS = ("http-server-header", "http-headers", "http-title", "http-auth")
_MAX_SCRIPT = 64 * 1024  # characters of one script's output


def _head(head: bytes) -> bytes:
    return head[:8192]


def sniff(head: bytes) -> bool:
    return b"<nmaprun" in _head(head) and b'scanner="masscan"' not in _head(head)


def sniff_masscan(head: bytes) -> bool:
    return b"<nmaprun" in _head(head) and b'scanner="masscan"' in _head(head)


def read(stream: BinaryIO) -> Iterator[Item]:
    """Every up host with what it showed; hosts nmap marked down or that showed nothing are skipped."""
    source = SOURCE
    for event in _xml.records(stream, "host"):
        if isinstance(event, ImportProblem):
            yield event
            continue
        kind, elem = event
        if kind == "root":
            source = MASSCAN_SOURCE if elem.get("scanner") == "masscan" else SOURCE
            continue
        record = host_record(elem, source)
        if record is not None:
            yield record


def host_record(host: ET.Element, source: str) -> Record | None:
    status = _xml.child(host, "status")
    if status is not None and _xml.attr(status, "state") != "up":
        return None
    ip, mac, vendor = _addresses(host)
    if not ip:
        return None
    when = epoch(host.get("starttime") or host.get("endtime"))
    found: list[Observation] = _services.mac(source, ip, mac, when, vendor) if mac else []
    for port in _xml.kids(_xml.child(host, "ports"), "port"):
        found.extend(port_observations(port, ip, source, when))
    found.extend(_os_claim(host, ip, source, when))
    hostname = next((_xml.attr(h, "name") for h in _xml.kids(_xml.child(host, "hostnames"), "hostname")), "")
    if not found:
        return None
    return Record(ip, tuple(found), f"host {ip}", {"hostname": hostname}, when)


def _addresses(host: ET.Element) -> tuple[str, str, str]:
    ip = mac = vendor = ""
    for address in _xml.kids(host, "address"):
        kind = _xml.attr(address, "addrtype")
        if kind in ("ipv4", "ipv6") and not ip:
            ip = _xml.attr(address, "addr")
        elif kind == "mac" and not mac:
            mac, vendor = _xml.attr(address, "addr"), _xml.attr(address, "vendor")
    return ip, mac, vendor


def port_observations(port: ET.Element, ip: str, source: str, when: datetime | None) -> list[Observation]:
    if _xml.attr(_xml.child(port, "state"), "state") not in _OPEN or port.get("protocol", "tcp") != "tcp":
        return []
    try:
        number = int(port.get("portid", ""))
    except ValueError:
        return []
    service = _xml.child(port, "service")
    scripts = {_xml.attr(s, "id"): s for s in _xml.kids(port, "script")}
    found = [_services.open_port(source, ip, number, when)]
    found.extend(_service_replies(service, ip, number, source, when))
    found.extend(_http(scripts, ip, number, source, when))
    found.extend(_other_scripts(scripts, ip, number, source, when))
    found.extend(_service_claim(service, ip, number, source, when))
    return found


def _service_replies(
    service: ET.Element | None, ip: str, port: int, source: str, when: datetime | None
) -> list[Observation]:
    """masscan's ``banner`` attribute, or the replies recorded in nmap's ``servicefp``."""
    if service is None:
        return []
    if banner := service.get("banner"):
        return _banners.masscan_service(source, ip, port, service.get("name", ""), banner, when)
    if fingerprint := service.get("servicefp"):
        return _banners.from_fingerprint(source, ip, port, fingerprint, when)
    return []


def _service_claim(
    service: ET.Element | None, ip: str, port: int, source: str, when: datetime | None
) -> list[Observation]:
    if service is None or service.get("banner") is not None:  # masscan names no product
        return []
    cpes = " ".join(_xml.text_of(c) for c in _xml.kids(service, "cpe"))
    fields = {
        "import.service": service.get("name", ""),
        "import.product": service.get("product", ""),
        "import.version": service.get("version", ""),
        "import.devicetype": service.get("devicetype", ""),
        "import.os": service.get("ostype", ""),
        "import.cpe": cpes,
    }
    return claim(source, ip, port, fields, when)


def _os_claim(host: ET.Element, ip: str, source: str, when: datetime | None) -> list[Observation]:
    """nmap's best OS guess (the first ``osmatch``): its name, class type and vendor, CPEs."""
    match = next(iter(_xml.kids(_xml.child(host, "os"), "osmatch")), None)
    if match is None:
        return []
    classes = _xml.kids(match, "osclass")
    first = classes[0] if classes else None
    cpes = " ".join(_xml.text_of(c) for k in classes for c in _xml.kids(k, "cpe"))
    fields = {
        "import.os": match.get("name", ""),
        "import.devicetype": _xml.attr(first, "type"),
        "import.vendor": _xml.attr(first, "vendor"),
        "import.cpe": cpes,
    }
    return claim(source, ip, None, fields, when)


def _script_text(script: ET.Element) -> str:
    return (script.get("output") or "")[:_MAX_SCRIPT]


def _elem(script: ET.Element, key: str) -> str:
    for found in script.iter():
        if _xml.local_name(found.tag) == "elem" and found.get("key") == key:
            return (found.text or "")[:_MAX_SCRIPT]
    return ""


def _http(
    scripts: dict[str, ET.Element], ip: str, port: int, source: str, when: datetime | None
) -> list[Observation]:
    """The HTTP scripts of one port as one response: headers, title, challenge."""
    if not any(name in scripts for name in _HTTP_SCRIPTS):
        return []
    headers = _header_lines(_script_text(scripts["http-headers"])) if "http-headers" in scripts else []
    if "http-server-header" in scripts:
        server = _elem(scripts["http-server-header"], "") or _script_text(scripts["http-server-header"])
        headers.append(("Server", server.strip()))
    status = None
    if "http-auth" in scripts:
        challenge = _challenge(scripts["http-auth"])
        if challenge:
            headers.append(("WWW-Authenticate", challenge))
            status = 401
    title = None
    if "http-title" in scripts:
        found = _elem(scripts["http-title"], "title") or _script_text(scripts["http-title"])
        title = None if found.startswith(_NO_TITLE) else found.strip()
    return _services.http_parts(source, ip, port, status=status, headers=headers, title=title, when=when)


def _header_lines(output: str) -> list[tuple[str, str]]:
    """``http-headers`` output: one ``Name: value`` per line, up to the ``(Request type: …)`` note."""
    found = []
    for line in output.splitlines():
        name, colon, value = line.strip().partition(":")
        if colon and name and " " not in name and not name.startswith("("):
            found.append((name, value.strip()))
    return found


def _challenge(script: ET.Element) -> str:
    """``http-auth``'s first challenge, rebuilt as a header (its tables hold scheme and parameters)."""
    for table in script.iter():
        if _xml.local_name(table.tag) != "table" or not table.get("key"):
            continue
        params = [f'{e.get("key")}="{e.text or ""}"' for e in table if e.get("key")]
        return f"{table.get('key')} {', '.join(params)}".strip()
    return ""


def _other_scripts(
    scripts: dict[str, ET.Element], ip: str, port: int, source: str, when: datetime | None
) -> list[Observation]:
    found: list[Observation] = []
    if "rtsp-methods" in scripts:
        methods = " ".join(_script_text(scripts["rtsp-methods"]).split())
        found.extend(_services.rtsp_public(source, ip, port, methods, when))
    if "ssl-cert" in scripts:
        pem = _elem(scripts["ssl-cert"], "pem")
        if pem:
            found.extend(_services.certificate_pem(source, ip, port, pem, when))
    if "banner" in scripts:
        found.extend(
            _services.banner(source, ip, port, _banners.unescape(_script_text(scripts["banner"])), when)
        )
    rest = {
        f"import.script.{name}": _script_text(s)
        for name, s in scripts.items()
        if name not in (*_HTTP_SCRIPTS, "rtsp-methods", "ssl-cert", "banner") and _script_text(s).strip()
    }
    found.extend(claim(source, ip, port, rest, when))
    return found


FORMAT = Format("nmap_xml", sniff, read, "nmap -oX (with -sV/-A: services, scripts, MAC, OS)")
MASSCAN_FORMAT = Format("masscan_xml", sniff_masscan, read, "masscan -oX (with --banners)")
