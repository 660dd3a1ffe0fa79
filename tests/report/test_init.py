"""`report.build`: one view of one audit; policy's part only for the register's latest audit."""

from __future__ import annotations

from pathlib import Path

from tests.store.conftest import finding, hik, record_audit

from camaudit import report
from camaudit.store import Register


def test_the_latest_audit_gets_the_policy_part_an_older_one_does_not(tmp_path: Path) -> None:
    db = tmp_path / "register.sqlite"
    with Register(db) as register:
        record_audit(register, "a" * 32, [hik()])
        record_audit(register, "b" * 32, [hik(findings=(finding(),))], days=7)
    latest = report.build(db, policy=(None, ("US-NDAA-889",), ()))
    assert latest["audit"]["id"] == "b" * 32 and latest["compliance"]["audit"] == "b" * 32
    older = report.build(db, "aaaa", policy=(None, ("US-NDAA-889",), ()))
    assert older["audit"]["id"] == "a" * 32 and older["compliance"] is None
    assert report.build(db, policy=None)["compliance"] is None
    assert latest["summary"]["findings"] == 1 and latest["previous_audit"] == "a" * 32
