"""The register as a spreadsheet: CSV export of every device, and import of people's fields.

Organisations often keep their camera list in a spreadsheet. Export gives them one row per device; import
reads their site, location, owner, purpose, notes, status, due and acquired columns back. An import never
writes a scanner field, and a bad row becomes an `ImportProblem(line, reason)` while the others still apply.

Cells that start with ``= + - @``, TAB or CR are prefixed with ``'`` on export, because a spreadsheet would
run them as formulas and device strings are hostile (OWASP "CSV Injection"); import takes the ``'`` off.
A cell that itself starts with ``'`` gets one more, so export then import gives back exactly what was there
(a note ``'=x`` came back as ``=x``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from camaudit.errors import BadImportFile
from camaudit.files import TooLarge, read_capped
from camaudit.model import printable
from camaudit.report.views.register import user_json
from camaudit.store.records import USER_FIELDS, DeviceRecord, DeviceStatus

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_CELL = 4096
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_QUOTED = (*_FORMULA, "'")  # what export prefixes with a quote, and import takes the quote off
SCANNER_COLUMNS = (
    "id",
    "key",
    "ip",
    "mac",
    "serial",
    "brand",
    "manufacturer",
    "model",
    "firmware",
    "device_type",
)
COLUMNS = (*SCANNER_COLUMNS, "first_seen", "last_seen", *USER_FIELDS)
_REFS = ("id", "key", "mac", "serial", "ip")


@dataclass(frozen=True, slots=True)
class ImportProblem:
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One spreadsheet row: how to find the device, and the people's fields to set."""

    line: int
    refs: Mapping[str, str]
    values: Mapping[str, Any]


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else printable(str(value), lines=True)  # controls shown, never obeyed
    return "'" + text if text.startswith(_QUOTED) else text


def _unquote(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_QUOTED) else text


def device_cells(record: DeviceRecord) -> dict[str, str]:
    d = record.device
    user = user_json(record.user)
    values: dict[str, object] = {
        "id": record.id,
        "key": record.key,
        **{name: getattr(d, name) for name in SCANNER_COLUMNS[2:]},
        "ip": d.ip,
        "first_seen": record.first_seen.isoformat(timespec="seconds") if record.first_seen else None,
        "last_seen": record.last_seen.isoformat(timespec="seconds") if record.last_seen else None,
        **user,
    }
    return {name: safe_cell(values.get(name)) for name in COLUMNS}


def write_csv(records: Iterable[DeviceRecord], stream: io.TextIOBase | Any) -> int:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow(device_cells(record))
        count += 1
    return count


def _date(name: str, text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} {text[:40]!r} is not a date (YYYY-MM-DD)") from None


def _values(row: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("site", "location", "owner", "purpose", "notes"):
        if name in row:
            values[name] = row[name] or None
    if row.get("status"):
        try:
            values["status"] = DeviceStatus(row["status"].strip().lower().replace(" ", "_"))
        except ValueError:
            allowed = ", ".join(s.value for s in DeviceStatus)
            raise ValueError(f"status {row['status'][:40]!r} is not one of {allowed}") from None
    for name in ("due", "acquired"):
        if name in row:
            values[name] = _date(name, row[name].strip())
    return values


def _decode(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise BadImportFile(f"the spreadsheet is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadImportFile(f"the spreadsheet is not UTF-8 (byte {exc.start})") from None


def read_register_file(path: str | Path) -> Iterator[ImportRow | ImportProblem]:
    """`read_rows` of a file (bounded read: ``/dev/zero`` or a pipe stops at `MAX_IMPORT_BYTES`)."""
    try:
        data = read_capped(path, MAX_IMPORT_BYTES, what="register CSV")
    except OSError as exc:
        raise BadImportFile(f"{path}: cannot read ({exc.strerror or exc})") from None
    except TooLarge as exc:
        raise BadImportFile(str(exc)) from None
    return read_rows(data)


def read_rows(data: bytes) -> Iterator[ImportRow | ImportProblem]:
    """Parse an exported (or hand-made) register CSV; header names as in `COLUMNS`, any order."""
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or ()]
    if not any(ref in header for ref in _REFS):
        raise BadImportFile(f"the header names no device column (one of {', '.join(_REFS)})")
    reader.fieldnames = header
    try:
        for raw in reader:
            yield _row(reader.line_num, raw)
    except csv.Error as exc:
        yield ImportProblem(reader.line_num, f"unreadable CSV: {exc}")


def _row(line: int, raw: Mapping[str | None, Any]) -> ImportRow | ImportProblem:
    if None in raw:
        return ImportProblem(line, "more cells than header columns")
    row = {str(k): _unquote(str(v or "").strip())[:MAX_CELL] for k, v in raw.items()}
    refs = {k: row[k] for k in _REFS if row.get(k)}
    if not refs:
        return ImportProblem(line, "no id, key, mac, serial or ip to find the device by")
    try:
        return ImportRow(line, refs, _values(row))
    except ValueError as exc:
        return ImportProblem(line, str(exc))


def new_key(refs: Mapping[str, str]) -> str:
    """The register key for a device the register does not know yet (MAC, else serial, else address)."""
    if refs.get("key"):
        return refs["key"]
    for name in ("mac", "serial", "ip"):
        if refs.get(name):
            value = refs[name].lower() if name == "mac" else refs[name]
            return f"{name}:{value}"
    raise ValueError("a device id alone cannot create a device")
