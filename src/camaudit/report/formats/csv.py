"""The report as CSV: one file of devices (FILE) and one of findings (FILE stem + ``-findings.csv``).

Cells are made spreadsheet-safe (`report.spreadsheet.safe_cell`): device strings are hostile and a cell
starting with ``=`` would run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from camaudit.report.spreadsheet import safe_cell

DEVICE_COLUMNS = (
    "id",
    "key",
    "ip",
    "mac",
    "brand",
    "manufacturer",
    "model",
    "firmware",
    "firmware_inferred",
    "serial",
    "device_type",
    "ports",
    "confidence",
    "findings",
    "site",
    "location",
    "owner",
    "purpose",
    "status",
    "due",
    "first_seen",
    "last_seen",
)
FINDING_COLUMNS = (
    "device_id",
    "ip",
    "check_id",
    "kind",
    "severity",
    "status",
    "verified",
    "kev",
    "title",
    "remediation",
    "references",
)


def _flat(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def device_row(device: Mapping[str, Any]) -> dict[str, Any]:
    register = device["register"]
    merged = {**device, **{k: v for k, v in register.items() if k != "id"}, "id": register["id"]}
    merged["findings"] = len(device["findings"])
    return {name: _flat(merged.get(name)) for name in DEVICE_COLUMNS}


def _table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(_flat(row.get(k))) for k in columns})
    return out.getvalue()


def render(view: Mapping[str, Any]) -> tuple[str, str]:
    """(devices CSV, findings CSV)."""
    devices = _table((device_row(d) for d in view["devices"]), DEVICE_COLUMNS)
    return devices, _table(view["findings"], FINDING_COLUMNS)


def findings_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-findings.csv")


def write(view: Mapping[str, Any], path: Path) -> tuple[Path, ...]:
    devices, findings = render(view)
    path.write_text(devices, encoding="utf-8")
    findings_path(path).write_text(findings, encoding="utf-8")
    return path, findings_path(path)
