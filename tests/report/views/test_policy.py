"""The report's policy, plan and privacy part, built from a register of real lab audits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from camaudit.config import Config, parse_config
from camaudit.policy.inputs import load_context
from camaudit.policy.judgement import judge
from camaudit.report.formats import BY_NAME
from camaudit.report.formats import html as html_format
from camaudit.report.inputs import from_register
from camaudit.report.views.policy import compliance_view
from camaudit.report.views.report import build_view
from camaudit.store import Reader

# A US federal contractor that is also UK central government, with no site declared sensitive or not.
ORGANISATION = """\
[organisation]
jurisdictions = ["US", "UK"]
federal_contractor = true
uk_central_government = true
purposes = ["government_facility_security"]
"""


@pytest.fixture(scope="module")
def compliance(report_db: Path) -> dict[str, Any]:
    _, packs = load_context(None, ("US-NDAA-889", "US-FCC-COVERED", "UK-CO-SENSITIVE-SITES-2022"), ())
    config = parse_config(ORGANISATION, "camaudit.toml")
    return compliance_view(judge(from_register(str(report_db)), config, packs))


def test_an_organisation_that_declared_nothing_gets_undetermined_not_violations(report_db: Path) -> None:
    _, packs = load_context(None, ("US-NDAA-889",), ())
    view = compliance_view(judge(from_register(str(report_db)), Config(), packs))
    assert view["violations"] == [] and view["undetermined"]


def test_every_hikvision_or_dahua_device_violates_ndaa_and_no_western_one(
    report_db: Path, compliance: dict[str, Any]
) -> None:
    with Reader(report_db) as reader:
        records = reader.devices(reader.audit().id)
    covered = {r.device.ip for r in records if r.device.manufacturer in ("hikvision", "dahua")}
    western = {r.device.ip for r in records if r.device.manufacturer in ("axis", "bosch", "hanwha")}
    ndaa = {v["ip"] for v in compliance["violations"] if v["pack"] == "US-NDAA-889"}
    assert covered and ndaa == covered
    assert not western & {v["ip"] for v in compliance["violations"]}
    rebrand = next(v for v in compliance["violations"] if "Lorex" in v["device"])
    assert "Dahua" in rebrand["device"]  # judged by the true maker, and the row says so


def test_site_sensitivity_unknown_is_undetermined_not_guessed(compliance: dict[str, Any]) -> None:
    uk = [v for v in compliance["undetermined"] if v["pack"] == "UK-CO-SENSITIVE-SITES-2022"]
    assert uk and all(v["missing"] for v in uk)
    pack = next(p for p in compliance["packs"] if p["id"] == "UK-CO-SENSITIVE-SITES-2022")
    assert pack["violates"] == 0 and pack["undetermined"] == len(uk)


def test_html_and_pdf_carry_the_section_with_the_same_numbers(
    report_db: Path, compliance: dict[str, Any], tmp_path: Path
) -> None:
    with Reader(report_db) as reader:
        view = build_view(reader, compliance=compliance)
    html = BeautifulSoup(html_format.render(view), "html.parser")
    section = html.find(id="compliance")
    assert section is not None
    # one row per device with anything at issue, one column per pack: every violation is a cell
    rows = section.select("tr.matrix-row")
    assert len(rows) == len(compliance["matrix"]) and compliance["columns"]
    at_issue = sum(1 for r in rows for c in r.select("td") if c.select_one(".o-violates"))
    assert at_issue == len(compliance["violations"])
    assert compliance["plan"]["summary"] in section.get_text(" ")
    text = section.get_text(" ")
    assert "hikvision_group" not in text and "[organisation]" not in text  # words, not internal ids
    pdf = BY_NAME["pdf"].write(view, tmp_path / "r.pdf")[0]
    import subprocess

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Policy and the removal plan" in text and "Removal plan" in text


def test_report_without_policy_has_no_section(report_db: Path) -> None:
    with Reader(report_db) as reader:
        view = build_view(reader)
    assert view["compliance"] is None
    assert 'id="compliance"' not in html_format.render(view)
