"""ZMap CSV output (``-O csv``, ``--output-fields``; ZMap wiki "Output"), and its default output of one
address per line.

A header names the columns; ``saddr`` (the address that answered) is required. ``sport`` is the port
that answered (the scanned port, for the TCP SYN probe), ``success`` and ``classification``
(``synack`` / ``rst``) say whether it was open, ``timestamp-str``/``timestamp-ts`` when. ZMap only says
a port answered: each record is at most an open port, and an address without one is still in scope.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from typing import BinaryIO

from camaudit.sources.imports import _json, _services
from camaudit.sources.imports._base import Format, ImportProblem, Item, Record, epoch, iso_time
from camaudit.values import is_address

SOURCE = "import:zmap"
_REFUSED = ("rst", "0", "false")


def sniff(head: bytes) -> bool:
    first = head.lstrip()[:4096].split(b"\n", 1)[0].strip().decode("latin-1")
    if "saddr" in first.split(","):
        return True
    lines = [x.strip() for x in head[:4096].decode("latin-1").splitlines()[:5] if x.strip()]
    return bool(lines) and all(is_address(x) for x in lines)


def read(stream: BinaryIO) -> Iterator[Item]:
    columns: list[str] | None = None
    for number, line in _json.lines(stream):
        where = f"line {number}"
        if line is None:
            yield ImportProblem(where, f"longer than {_json.MAX_LINE} bytes: skipped")
            continue
        text = line.decode("utf-8", "replace").strip()
        if not text or text.startswith("#"):
            continue
        try:
            fields = next(csv.reader([text])) if columns is not None or "saddr" in text.split(",") else [text]
        except csv.Error as exc:  # a lone carriage return inside the line, an unclosed quote …
            yield ImportProblem(where, f"not a CSV line: {exc}")
            continue
        if columns is None and "saddr" in fields:
            columns = fields
            continue
        yield _record(dict(zip(columns or ["saddr"], fields, strict=False)), where)


def _record(row: Mapping[str, str], where: str) -> Item:
    ip = row.get("saddr", "").strip()
    if not is_address(ip):
        return ImportProblem(where, f"'saddr' is not an address: {ip[:60]!r}")
    when = epoch(row["timestamp-ts"]) if row.get("timestamp-ts") else iso_time(row.get("timestamp-str"))
    port = _json.port_of(row.get("sport"))
    answered = row.get("classification", row.get("success", "")).strip().lower() not in _REFUSED
    found = (_services.open_port(SOURCE, ip, port, when),) if port is not None and answered else ()
    return Record(ip, found, where, time=when)


FORMAT = Format("zmap_csv", sniff, read, "ZMap CSV (-O csv with a header) or one address per line")
