"""Diff between two audits: new, gone, changed devices (matched by key), new and resolved findings."""

from __future__ import annotations

from pathlib import Path

from tests.store.conftest import finding, hik, record_audit

from camaudit.store import Reader, Register, diff


def test_new_gone_changed_and_findings(register: Register, db: Path) -> None:
    kept = hik()
    leaving = hik("127.0.0.2", serial="GONE1")
    record_audit(register, "a1", [kept, leaving])
    updated = hik(firmware="V5.7.15 build 230626", findings=(finding(),))
    arriving = hik("127.0.0.3", serial="NEW1")
    record_audit(register, "a2", [updated, arriving], days=7)
    with Reader(db) as reader:
        change = diff("a1", reader.devices("a1"), "a2", reader.devices("a2"))
    assert [r.device.serial for r in change.new] == ["NEW1"]
    assert [r.device.serial for r in change.gone] == ["GONE1"]
    [changed] = change.changed
    assert [(c.field, c.before, c.after) for c in changed.changes] == [
        ("firmware", "V5.7.3 build 220112", "V5.7.15 build 230626")
    ]
    assert [f.check_id for f in change.new_findings] == ["cve-2017-7921"]
    assert change.resolved_findings == ()
    back = diff("a2", reader_devices(db, "a2"), "a1", reader_devices(db, "a1"))
    assert [f.check_id for f in back.resolved_findings] == ["cve-2017-7921"]


def reader_devices(db: Path, audit_id: str) -> list:  # type: ignore[type-arg]
    with Reader(db) as reader:
        return reader.devices(audit_id)


def test_the_same_audit_twice_is_no_change(register: Register, db: Path) -> None:
    record_audit(register, "a1", [hik()])
    with Reader(db) as reader:
        assert diff("a1", reader.devices("a1"), "a1", reader.devices("a1")).empty
