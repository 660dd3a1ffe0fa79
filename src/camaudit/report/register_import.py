"""Apply a register spreadsheet's rows to the register: one code path for `camaudit register import` and
the dashboard's import page.

Each row is matched by id, key, MAC, serial or address (the first that names a known device); a row that
matches none adds a device. Only people's fields are written (`spreadsheet.read_rows` reads no scanner
field), each change into the change log with `by`. A row that cannot be applied is rejected with its line
number and reason; the others still apply.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from camaudit.report.spreadsheet import ImportProblem, ImportRow, new_key
from camaudit.store import Reader, Register, RegisterError

OUTCOMES = ("added", "updated", "unchanged", "rejected")


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """What became of one spreadsheet row.

    Attributes:
        line: the row's line in the file (the header is line 1).
        outcome: added (a device new to the register), updated, unchanged or rejected.
        device_id: the register's device the row wrote to (None when rejected).
        reason: why a row was rejected ("" otherwise).
    """

    line: int
    outcome: str
    device_id: int | None = None
    reason: str = ""


@dataclass(slots=True)
class ImportSummary:
    rows: list[RowOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    def counts(self) -> dict[str, int]:
        return {outcome: self.count(outcome) for outcome in OUTCOMES}

    @property
    def problems(self) -> list[ImportProblem]:
        return [ImportProblem(r.line, r.reason) for r in self.rows if r.outcome == "rejected"]


def apply_row(register: Register, reader: Reader, row: ImportRow, by: str) -> RowOutcome:
    """Set one row's fields on the device it names, or on a new device; raises RegisterError or
    ValueError when the row cannot be applied (nothing of it is then written)."""
    for name in ("id", "key", "mac", "serial", "ip"):
        if name in row.refs:
            try:
                device_id = reader.device_id(row.refs[name])
            except RegisterError:
                continue
            changed = register.set_fields(device_id, by=by, **row.values)
            return RowOutcome(row.line, "updated" if changed else "unchanged", device_id)
    device_id = register.ensure_device(new_key(row.refs))
    register.annotate(device_id, by=by, **row.values)
    return RowOutcome(row.line, "added", device_id)


def apply_rows(
    register: Register,
    reader: Reader,
    items: Iterable[ImportRow | ImportProblem],
    by: str,
    summary: ImportSummary | None = None,
) -> ImportSummary:
    """Apply every readable row in order; unreadable or unappliable rows are rejected, the rest apply."""
    summary = summary if summary is not None else ImportSummary()
    for item in items:
        if isinstance(item, ImportProblem):
            summary.rows.append(RowOutcome(item.line, "rejected", None, item.reason))
            continue
        try:
            summary.rows.append(apply_row(register, reader, item, by))
        except (RegisterError, ValueError) as exc:
            summary.rows.append(RowOutcome(item.line, "rejected", None, str(exc)))
    return summary
