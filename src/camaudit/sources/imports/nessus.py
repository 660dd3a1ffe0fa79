"""Nessus ``.nessus`` (``NessusClientData_v2``) files, streamed one ``ReportHost`` at a time.

Structure per Tenable's "Nessus File (.nessus) Format" guide: ``Report/ReportHost`` with
``HostProperties/tag[@name]`` (``host-ip``, ``mac-address``, ``host-fqdn``, ``operating-system``,
``HOST_START``) and ``ReportItem`` (``port``, ``protocol``, ``svc_name``, ``pluginID``) whose
``plugin_output`` carries what the service sent. Read here: every reported TCP port as open; the
Server header (plugin 10107 "HTTP Server Type and Version"), the response head (24260 "HyperText Transfer
Protocol (HTTP) Information"), the RTSP server (10762 "RTSP Server Type / Version Detection"); and
Nessus' own conclusions (OS, CPEs of 45590 "Common Platform Enumeration") as an ``import.claim``.
Nessus' vulnerability verdicts are not imported: camaudit assesses the devices itself.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # the Element type only; parsing is defused (_xml)
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import BinaryIO

from camaudit.errors import InputError
from camaudit.model import Observation
from camaudit.sources import evidence
from camaudit.sources.imports import _services, _xml
from camaudit.sources.imports._base import Format, ImportProblem, Item, Record, claim, restamped

SOURCE = "import:nessus"
_SERVER_TYPE, _HTTP_INFO, _RTSP_SERVER, _CPE = "10107", "24260", "10762", "45590"
_CPE_TEXT = re.compile(r"cpe:/[aho]:[^\s]+")
_MAX_OUTPUT = 64 * 1024


def sniff(head: bytes) -> bool:
    return b"<NessusClientData_v2" in head[:8192]


def read(stream: BinaryIO) -> Iterator[Item]:
    for event in _xml.records(stream, "ReportHost"):
        if isinstance(event, ImportProblem):
            yield event
        elif event[0] == "record":
            record = host_record(event[1])
            if record is not None:
                yield record


def _tags(host: ET.Element) -> dict[str, str]:
    props = _xml.child(host, "HostProperties")
    return {_xml.attr(t, "name"): (t.text or "").strip() for t in _xml.kids(props, "tag")}


def _when(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError):
        return None


def host_record(host: ET.Element) -> Record | None:
    tags = _tags(host)
    ip = tags.get("host-ip") or host.get("name", "")
    if not ip:
        return None
    when = _when(tags.get("HOST_START", ""))
    mac = tags.get("mac-address", "").split()[0] if tags.get("mac-address") else ""
    found: list[Observation] = _services.mac(SOURCE, ip, mac, when) if mac else []
    ports: set[int] = set()
    cpes: list[str] = []
    for item in _xml.kids(host, "ReportItem"):
        found.extend(_item(item, ip, when, ports))
        if item.get("pluginID") == _CPE:
            cpes.extend(_CPE_TEXT.findall(_output(item)))
    host_claims = {"import.os": tags.get("operating-system", ""), "import.cpe": " ".join(cpes)}
    found.extend(claim(SOURCE, ip, None, host_claims, when))
    if not found:
        return None
    return Record(
        ip, tuple(found), f"ReportHost {host.get('name', ip)}", {"hostname": tags.get("host-fqdn", "")}, when
    )


def _output(item: ET.Element) -> str:
    return _xml.text_of(_xml.child(item, "plugin_output"))[:_MAX_OUTPUT]


def _item(item: ET.Element, ip: str, when: datetime | None, ports: set[int]) -> list[Observation]:
    try:
        port = int(item.get("port", "0"))
    except ValueError:
        return []
    if port <= 0 or port > 65535 or item.get("protocol") != "tcp":
        return []
    found = [] if port in ports else [_services.open_port(SOURCE, ip, port, when)]
    ports.add(port)
    plugin, output = item.get("pluginID"), _output(item)
    if plugin == _SERVER_TYPE and (server := _after_colon(output)):
        found.extend(_services.http_parts(SOURCE, ip, port, headers=[("Server", server)], when=when))
    elif plugin == _HTTP_INFO:
        found.extend(_http_info(output, ip, port, when))
    elif plugin == _RTSP_SERVER and (server := _after_colon(output)):
        found.extend(_rtsp_server(server, ip, port, when))
    return found


def _after_colon(output: str) -> str:
    """The value Nessus prints after ``… is :`` (the first non-blank line after the colon)."""
    _, _, rest = output.partition(":")
    return next((line.strip() for line in rest.splitlines() if line.strip()), "")


def _http_info(output: str, ip: str, port: int, when: datetime | None) -> list[Observation]:
    """Plugin 24260: ``Response Code : HTTP/1.1 200 OK`` and the ``Headers :`` block, as one response."""
    code = re.search(r"Response Code\s*:\s*HTTP/\S+\s+(\d{3})", output)
    _, _, block = output.partition("Headers :")
    headers: list[tuple[str, str]] = []
    for line in block.splitlines():
        name, colon, value = line.strip().partition(":")
        if line.strip().endswith(" :") and headers:  # the next section ("Response Body :")
            break
        if colon and name and " " not in name:
            headers.append((name, value.strip()))
    status = int(code.group(1)) if code else None
    return _services.http_parts(SOURCE, ip, port, status=status, headers=headers, when=when)


def _rtsp_server(server: str, ip: str, port: int, when: datetime | None) -> list[Observation]:
    try:
        return restamped(evidence.rtsp_item({"port": port, "headers": {"Server": server}}, ip), SOURCE, when)
    except (InputError, ValueError):
        return []


FORMAT = Format("nessus", sniff, read, "Nessus .nessus (NessusClientData_v2)")
