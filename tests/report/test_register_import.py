"""Applying a register spreadsheet's rows: matched, added, unchanged or rejected with its line, each
change in the change log under the name given (the CLI says "csv", the dashboard the user's name)."""

from __future__ import annotations

from pathlib import Path

from tests.store.conftest import hik, record_audit

from camaudit.report.register_import import apply_rows
from camaudit.report.spreadsheet import read_rows
from camaudit.store import Reader, Register

SHEET = b"""ip,serial,site,status,due
127.0.0.1,,HQ,to replace,2027-03-31
127.0.0.2,S2,,,
10.0.0.7,,Depot,,
127.0.0.1,,HQ,,not-a-date
,,nowhere,,
"""


def test_rows_are_applied_in_order_and_bad_ones_rejected_with_their_line(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with Register(db) as register:
        record_audit(register, "a1", [hik(), hik("127.0.0.2", serial="S2")])
    with Register(db) as register, Reader(db) as reader:
        summary = apply_rows(register, reader, read_rows(SHEET), by="ann")
    assert [(r.line, r.outcome) for r in summary.rows] == [
        (2, "updated"), (3, "unchanged"), (4, "added"), (5, "rejected"), (6, "rejected"),
    ]  # fmt: skip
    assert summary.counts() == {"added": 1, "updated": 1, "unchanged": 1, "rejected": 2}
    assert "not a date" in summary.rows[3].reason and summary.rows[3].device_id is None
    assert [p.line for p in summary.problems] == [5, 6]
    with Reader(db) as reader:
        log = reader.change_log()
        added = reader.device_id("10.0.0.7")
    assert {c.who for c in log} == {"ann"}
    assert {(c.device_id, c.field, c.after) for c in log} >= {(added, "site", "Depot")}
    assert summary.rows[2].device_id == added
