"""The register's listings: people's fields, devices with their register identity, audit diffs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.store.conftest import finding, hik, record_audit

from camaudit.report.views.devices import device_json
from camaudit.report.views.register import audit_json, diff_json, finding_json, record_json, user_json
from camaudit.store import DeviceStatus, Reader, Register, UserFields, diff


def test_peoples_fields_as_json() -> None:
    user = UserFields(site="HQ", status=DeviceStatus.TO_REPLACE, due=date(2027, 3, 31))
    assert user_json(user) == {
        "site": "HQ",
        "location": None,
        "owner": None,
        "purpose": None,
        "notes": None,
        "status": "to_replace",
        "due": "2027-03-31",
        "acquired": None,
    }


def test_records_audits_findings_and_diffs(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with Register(db) as register:
        record_audit(register, "a" * 32, [hik()])
        record_audit(register, "b" * 32, [hik(firmware="V5.8.0 build 240101", findings=(finding(),))], days=7)
    with Reader(db) as reader:
        before, after = reader.devices("a" * 32), reader.devices("b" * 32)
        audit = reader.audit("b" * 32)
    shown = record_json(after[0])
    assert set(shown) == {*device_json(after[0].device), "register"} and shown["register"]["id"] == 1
    assert audit_json(audit)["complete"] is True and audit_json(audit)["scope_size"] == 1
    assert finding_json(after[0], after[0].device.findings[0])["device"]["ip"] == "127.0.0.1"
    change = diff_json(diff("a" * 32, before, "b" * 32, after))
    assert [c["field"] for c in change["changed"][0]["changes"]] == ["firmware"]
    assert [f["check_id"] for f in change["new_findings"]] == ["cve-2017-7921"]
