"""Policy runs: inputs from the register or a scan file, and the verdicts that need action stored with the
audit they judged, so the report's list of stored policy verdicts is filled."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from tests.store.conftest import finding, hik, record_audit

from camaudit import report
from camaudit.model import FindingKind
from camaudit.pipeline.policy import run_policy
from camaudit.report.formats import html
from camaudit.store import Reader, Register

ORGANISATION = """\
[organisation]
jurisdictions = ["US"]
federal_contractor = true
purposes = ["government_facility_security"]
"""
NDAA = ("US-NDAA-889",)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "register.sqlite"
    with Register(path) as register:
        record_audit(register, "a" * 32, [hik("127.0.0.1")])
        record_audit(register, "b" * 32, [hik("127.0.0.1", findings=(finding(),))], days=7)
    return path


def _config(tmp_path: Path) -> str:
    path = tmp_path / "camaudit.toml"
    path.write_text(ORGANISATION, encoding="utf-8")
    return str(path)


def test_verdicts_are_stored_with_the_audit_judged_and_the_report_lists_them(
    db: Path, tmp_path: Path
) -> None:
    choice = (_config(tmp_path), NDAA, ())
    for _ in range(2):  # judging again replaces the stored verdicts, never adds copies
        judgement = run_policy(db, None, choice, record=True)
    assert judgement.inputs.audit_id == "b" * 32
    with Reader(db) as reader:
        stored = [f for _, f in reader.findings("b" * 32) if f.kind is FindingKind.POLICY]
        earlier = [f for _, f in reader.findings("a" * 32) if f.kind is FindingKind.POLICY]
    assert [(f.check_id, f.status) for f in stored] == [("policy-us-ndaa-889", "violates")] and earlier == []
    view = report.build(db, policy=choice)
    assert [(p["check_id"], p["status"]) for p in view["policy"]] == [("policy-us-ndaa-889", "violates")]
    # the stored verdict is a finding like any other: a row of the findings by check
    table = BeautifulSoup(html.render(view), "html.parser").find(id="findings-table")
    assert table is not None
    [row] = [r for r in table.select("tr.finding-group") if "policy-us-ndaa-889" in r.get_text()]
    assert "Possible non-compliance with US NDAA" in row.get_text(" ")
    without = report.build(db, policy=None)  # without today's judgement, the stored outcomes are listed
    stored_table = BeautifulSoup(html.render(without), "html.parser").find(id="policy-table")
    assert stored_table is not None and "policy-us-ndaa-889" in stored_table.get_text()


def test_without_recording_nothing_is_written(db: Path, tmp_path: Path) -> None:
    run_policy(db, None, (_config(tmp_path), NDAA, ()))
    with Reader(db) as reader:
        assert not [f for _, f in reader.findings("b" * 32) if f.kind is FindingKind.POLICY]
