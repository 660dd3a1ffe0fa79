"""masscan's ``-oJ`` (JSON) and ``-oL`` (list) output, with ``--banners``; ``-oX`` is nmap's document
and is read by `camaudit.sources.imports.nmap_xml`.

Formats as masscan writes them (its ``src/out-json.c`` and ``src/out-text.c``; README "Output formats"):

    -oJ  [ {"ip": "10.0.0.1", "timestamp": "1700000000", "ports": [{"port": 80, "proto": "tcp",
            "status": "open", "reason": "syn-ack", "ttl": 64}]}, … ]  (banners: "service": {"name",
            "banner"} in place of "status"); one record per line, each followed by a "," line
    -oL  #masscan / open tcp 80 10.0.0.1 1700000000 / banner tcp 80 10.0.0.1 1700000000 http <text> / # end

masscan writes one record per port or banner, in the random order it scanned: records of one address
are spread over the file, and the pipeline groups them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from camaudit.model import Observation
from camaudit.sources.imports import _banners, _json, _services
from camaudit.sources.imports._base import Format, ImportProblem, Item, Record, epoch

SOURCE = "import:masscan"


def sniff_json(head: bytes) -> bool:
    line = _json.first_value_line(head)
    return line.startswith(b"{") and b'"ports"' in line and (b'"proto"' in line or b'"status"' in line)


def read_json(stream: BinaryIO) -> Iterator[Item]:
    yield from _json.records(stream, _from_json)


def _from_json(value: Mapping[str, Any], where: str) -> Iterator[Item]:
    ip = _json.text(value.get("ip"))
    if not ip:
        yield ImportProblem(where, "no 'ip'")
        return
    when = epoch(value.get("timestamp"))
    found: list[Observation] = []
    for entry in _json.seq(value, "ports"):
        port = _json.port_of(entry.get("port")) if isinstance(entry, Mapping) else None
        if port is None or _json.text(entry.get("proto") or "tcp") != "tcp":
            continue
        service = _json.obj(entry, "service")
        if service:
            name, text = _json.text(service.get("name")), _json.text(service.get("banner"))
            found.extend(_banners.masscan_plain(SOURCE, ip, port, name, text, when))
        elif _json.text(entry.get("status")) in ("open", ""):
            found.append(_services.open_port(SOURCE, ip, port, when))
    if found:
        yield Record(ip, tuple(found), where, time=when)


def sniff_list(head: bytes) -> bool:
    first = head.lstrip()[:64]
    return first.startswith(b"#masscan") or first.startswith((b"open tcp ", b"banner tcp "))


def read_list(stream: BinaryIO) -> Iterator[Item]:
    for number, line in _json.lines(stream):
        where = f"line {number}"
        if line is None:
            yield ImportProblem(where, f"longer than {_json.MAX_LINE} bytes: skipped")
            continue
        text = line.decode("utf-8", "replace").strip()
        if not text or text.startswith("#"):
            continue
        yield _list_line(text, where)


def _list_line(text: str, where: str) -> Item:
    parts = text.split(" ", 6)
    if len(parts) < 5 or parts[0] not in ("open", "banner"):
        return ImportProblem(where, "not a masscan list line ('open|banner PROTO PORT IP TIME …')")
    kind, proto, port_text, ip, stamp = parts[:5]
    port = _json.port_of(port_text)
    if port is None or proto != "tcp":
        return ImportProblem(where, f"not a TCP port: {proto} {port_text}")
    when = epoch(stamp)
    if kind == "open":
        return Record(ip, (_services.open_port(SOURCE, ip, port, when),), where, time=when)
    if len(parts) < 7:
        return ImportProblem(where, "banner line without a service and text")
    found = _banners.masscan_service(SOURCE, ip, port, parts[5], parts[6], when)
    return Record(ip, (_services.open_port(SOURCE, ip, port, when), *found), where, time=when)


JSON_FORMAT = Format("masscan_json", sniff_json, read_json, "masscan -oJ (with --banners)")
LIST_FORMAT = Format("masscan_list", sniff_list, read_list, "masscan -oL (with --banners)")
