"""The view-model every format renders: counts, rebrands, KEV, changes, people's fields, policy verdicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.report.registers import ANNOTATED, REMOVED
from tests.store.conftest import finding, hik, record_audit

from camaudit.lab.runner import Lab
from camaudit.model import FindingKind, Severity
from camaudit.report.views.report import REPORT_SCHEMA, build_view, is_kev
from camaudit.store import Reader, Register


def test_counts_add_up_to_the_devices_of_the_latest_audit(lab: Lab, view: dict[str, Any]) -> None:
    assert view["schema"] == REPORT_SCHEMA
    assert view["audit"]["complete"] is True
    expected = len(lab.manifest()) - 1  # the second audit left one device out
    assert view["summary"]["devices"] == len(view["devices"]) == expected
    for key in ("by_manufacturer", "by_brand", "by_type"):
        assert sum(row["count"] for row in view[key]) == expected, key
    firm = [f for f in view["findings"] if f["status"] != "undetermined"]
    assert view["summary"]["findings"] == len(firm)
    assert view["summary"]["undetermined"] == len(view["findings"]) - len(firm)
    assert sum(r["count"] for r in view["findings_by_severity"]) == len(firm)
    assert [r["name"] for r in view["findings_by_severity"]] == [s.value for s in Severity]


def test_rebrands_name_the_true_maker_of_each_label(lab: Lab, view: dict[str, Any]) -> None:
    pairs = {(r["brand"], r["manufacturer"]) for r in view["rebrands"]}
    assert {("Lorex", "Dahua"), ("LTS (LT Security)", "Hikvision"), ("Amcrest", "Dahua")} <= pairs
    assert ("Hikvision", "Hikvision") not in pairs
    assert view["summary"]["rebranded"] == sum(r["count"] for r in view["rebrands"])


def test_kev_findings_are_those_cisa_lists(view: dict[str, Any]) -> None:
    kev = {f["check_id"] for f in view["kev_findings"]}
    assert "cve-2017-7921" in kev  # the lab's CVE-2017-7921 camera (on CISA's KEV list)
    assert all(f["kev"] for f in view["kev_findings"])
    assert view["summary"]["kev_findings"] == len(view["kev_findings"])


def test_a_device_outside_the_later_scope_is_not_re_audited_not_gone(lab: Lab, view: dict[str, Any]) -> None:
    removed = {e["profile"]: e["address"] for e in lab.manifest()}[REMOVED]
    changes = view["changes"]
    # the second audit did not look at the Axis camera's address: not gone, its findings not resolved
    assert [d["ip"] for d in changes["not_reaudited"]] == [removed]
    assert changes["gone"] == [] and changes["resolved_findings"] == []
    assert changes["new"] == [] and changes["changed"] == []
    assert view["previous_audit"] == changes["before"]


def test_peoples_fields_ride_along_with_each_device(lab: Lab, view: dict[str, Any]) -> None:
    address = {e["profile"]: e["address"] for e in lab.manifest()}[ANNOTATED]
    [lorex] = [d for d in view["devices"] if d["ip"] == address]
    assert (lorex["register"]["site"], lorex["register"]["status"], lorex["register"]["due"]) == (
        "HQ",
        "to_replace",
        "2027-03-31",
    )
    assert [h["changes"] for h in lorex["history"]] == [["first seen"], []]


def test_policy_verdicts_and_the_first_audit(tmp_path: Path) -> None:
    verdict = finding(
        "policy-us-ndaa-889",
        kind=FindingKind.POLICY,
        severity=Severity.HIGH,
        status="violates",
        details={"pack": "US-NDAA-889"},
    )
    with Register(tmp_path / "r.sqlite") as register:
        record_audit(register, "a1", [hik(findings=(finding(), verdict))])
    with Reader(tmp_path / "r.sqlite") as reader:
        view = build_view(reader)
    assert [(p["check_id"], p["status"]) for p in view["policy"]] == [("policy-us-ndaa-889", "violates")]
    assert view["changes"] is None and view["previous_audit"] is None
    assert [f["check_id"] for f in view["kev_findings"]] == ["cve-2017-7921"]
    assert is_kev(finding(details={"cisa_kev": "false", "vulncheck_kev": "true"})) is False
