"""Policy evaluation: unit cases on built devices, then the whole lab scanned for real."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from camaudit.config import Config, parse_config
from camaudit.data.policies import builtin_packs, read_pack_file, select_packs
from camaudit.lab.runner import Lab
from camaudit.model import Device, Finding, FindingKind, Severity
from camaudit.net.limits import Limits
from camaudit.pipeline.scan import ScanResult, run_scan
from camaudit.policy.obligations import Context, Outcome
from camaudit.policy.verdicts import Verdict, add_business_days, binding, display, evaluate, who
from camaudit.scope import Scope

TODAY = dt.date(2026, 11, 23)
FEDERAL = """\
[organisation]
jurisdictions = ["US", "UK", "TW"]
federal_contractor = true
uk_central_government = true
tw_public_agency = true

[[sites]]
name = "HQ"
networks = ["10.1.0.0/16"]
sensitive = true
purposes = ["government_facility_security"]

[[sites]]
name = "Depot"
networks = ["10.2.0.0/16"]
"""


def _config(text: str = FEDERAL) -> Config:
    return parse_config(text, "camaudit.toml")


def _one(
    device: Device,
    pack_id: str,
    config: Config | None = None,
    contexts: dict[str, Context] | None = None,
    assessed: bool | None = None,
) -> Verdict:
    pack = builtin_packs()[pack_id]
    report = evaluate(
        [device], [pack], config or _config(), today=TODAY, contexts=contexts, assessed=assessed
    )
    (verdict,) = report.verdicts
    return verdict


LOREX = Device(ips=("10.1.0.5",), brand="lorex", manufacturer="dahua", device_type="ip_camera")
UNIVIEW = Device(ips=("10.2.0.5",), brand="uniview", manufacturer="uniview", device_type="ip_camera")


def test_rebrand_is_judged_by_its_maker_and_the_finding_says_so() -> None:
    verdict = _one(LOREX, "US-NDAA-889")
    assert verdict.outcome is Outcome.VIOLATES
    finding = verdict.finding()
    assert "sold as Lorex, made by Dahua" in finding.title
    assert finding.title.startswith("Possible non-compliance with US NDAA FY2019 section 889")
    assert "check with counsel" in finding.title
    assert builtin_packs()["US-NDAA-889"].sources[0] in finding.title
    assert (finding.kind, finding.severity, finding.status, finding.verified) == (
        FindingKind.POLICY,
        Severity.HIGH,
        "violates",
        False,
    )
    assert finding.details["pack"] == "US-NDAA-889" and finding.details["site"] == "HQ"


def test_who_names_label_and_maker() -> None:
    assert who(LOREX) == "sold as Lorex, made by Dahua"
    assert who(Device(ips=("1.1.1.1",), brand="hikvision", manufacturer="hikvision")) == "made by Hikvision"
    assert who(Device(ips=("1.1.1.1",))) == "maker unknown"


def test_unknown_maker_is_undetermined_with_the_oem_hint_not_a_violation() -> None:
    device = Device(ips=("10.1.0.9",), brand="lorex", device_type="ip_camera")
    verdict = _one(device, "US-NDAA-889")
    assert verdict.outcome is Outcome.UNDETERMINED
    assert "true manufacturer" in verdict.missing
    assert "reported to be made by Dahua" in verdict.reason


def test_uniview_is_outside_ndaa_and_fcc_but_inside_prc_packs() -> None:
    assert _one(UNIVIEW, "US-NDAA-889").outcome is Outcome.COMPLIES
    assert _one(UNIVIEW, "US-FCC-COVERED").outcome is Outcome.COMPLIES
    assert _one(UNIVIEW, "TW-GOV-REMOVAL").outcome is Outcome.VIOLATES
    uk = _one(UNIVIEW, "UK-CO-SENSITIVE-SITES-2022")
    assert uk.outcome is Outcome.UNDETERMINED  # Depot's sensitivity was never declared
    assert "sensitivity of site Depot" in uk.missing


def test_sensitive_site_and_core_network() -> None:
    config = _config(FEDERAL + '\n[networks]\ncore = ["10.1.0.0/24"]\n')
    on_core = _one(LOREX, "UK-CO-SENSITIVE-SITES-2022", config)
    assert on_core.outcome is Outcome.VIOLATES
    assert "sensitive site HQ" in on_core.reason and "core network" in on_core.reason
    calm = _config(
        FEDERAL.replace("sensitive = true", "sensitive = false") + '[networks]\ncore = ["10.9.0.0/16"]\n'
    )
    assert _one(LOREX, "UK-CO-SENSITIVE-SITES-2022", calm).outcome is Outcome.COMPLIES


def test_purpose_clause_of_section_889() -> None:
    undeclared = Device(ips=("10.2.0.7",), brand="hikvision", manufacturer="hikvision", device_type="nvr")
    verdict = _one(undeclared, "US-NDAA-889")
    assert (
        verdict.outcome is Outcome.UNDETERMINED
        and "what the cameras of site Depot are for" in verdict.missing
    )
    office = _config(FEDERAL.replace('name = "Depot"', 'name = "Depot"\npurposes = ["premises_security"]'))
    assert _one(undeclared, "US-NDAA-889", office).outcome is Outcome.COMPLIES


def test_binding_depends_on_declared_facts() -> None:
    pack = builtin_packs()["US-NDAA-889"]
    assert binding(pack, Config()).binds is None
    assert binding(pack, _config("[organisation]\njurisdictions = ['UK']\n")).binds is False
    nobody = _config("[organisation]\njurisdictions = ['US']\nfederal_contractor = false\n")
    assert binding(pack, nobody).binds is None  # grantee / agency still undeclared
    la = builtin_packs()["US-LA"]
    assert binding(la, _config("[organisation]\njurisdictions = ['US-LA']\nla_public_entity = true\n")).binds
    # A pack that does not bind yields no device verdicts; an undeclared one never says "violates".
    assert evaluate([LOREX], [la], _config(), today=TODAY).verdicts == ()
    unknown = evaluate([LOREX], [pack], Config(sites=_config().sites), today=TODAY).verdicts[0]
    assert unknown.outcome is Outcome.UNDETERMINED and "where the organisation operates" in unknown.missing


def test_non_camera_devices_are_out_of_scope() -> None:
    printer = Device(ips=("10.1.0.8",), manufacturer="hp", device_type="printer")
    assert _one(printer, "US-NDAA-889").outcome is Outcome.COMPLIES
    odd = Device(ips=("10.1.0.8",), manufacturer="hikvision", device_type="other")
    verdict = _one(odd, "US-NDAA-889")
    assert verdict.outcome is Outcome.UNDETERMINED and "equipment type" in verdict.missing


def test_procurement_ban_judges_the_acquisition_date() -> None:
    config = _config(
        FEDERAL.replace("federal_contractor = true", "la_public_entity = true").replace(
            '["US", ', '["US-LA", '
        )
    )
    assert _one(LOREX, "US-LA", config).outcome is Outcome.UNDETERMINED
    old = {LOREX.key: Context(acquired=dt.date(2020, 1, 5))}
    assert _one(LOREX, "US-LA", config, contexts=old).outcome is Outcome.COMPLIES
    new = {LOREX.key: Context(acquired=dt.date(2022, 3, 1))}
    assert _one(LOREX, "US-LA", config, contexts=new).outcome is Outcome.VIOLATES
    seen_early = {LOREX.key: Context(first_seen=dt.datetime(2021, 1, 4, tzinfo=dt.UTC))}
    assert _one(LOREX, "US-LA", config, contexts=seen_early).outcome is Outcome.COMPLIES


def test_taiwan_removal_deadline_is_carried() -> None:
    verdict = _one(LOREX, "TW-GOV-REMOVAL")
    assert verdict.due == dt.date(2021, 12, 31) and "overdue" in verdict.reason


def test_far_reporting_clock_counts_business_days() -> None:
    friday = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
    assert add_business_days(friday, 1) == dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
    assert add_business_days(friday, 10).date() == dt.date(2026, 12, 4)
    verdict = _one(LOREX, "US-NDAA-889", contexts={LOREX.key: Context(first_seen=friday)})
    clock = verdict.finding().details
    assert clock["first_detected"] == "2026-11-20T15:00:00+00:00"
    assert clock["report_due"] == "2026-11-23T15:00:00+00:00"
    assert clock["mitigation_due"] == "2026-12-04T15:00:00+00:00"
    assert "report_due" not in _one(LOREX, "US-FCC-COVERED").finding().details  # no clock in that pack


def _kev(check: str, added: str, due: str, status: str = "affected") -> Finding:
    details = {"cisa_kev": "true", "cisa_kev_added": added, "cisa_kev_due": due}
    return Finding(check, FindingKind.VULNERABILITY, Severity.CRITICAL, check, status=status, details=details)


def test_kev_pack_uses_the_catalog_due_date() -> None:
    old = Device(
        ips=("10.1.0.3",),
        manufacturer="dahua",
        findings=(_kev("cve-2021-33044", "2024-08-21", "2024-09-11"),),
    )
    verdict = _one(old, "KEV-PATCHING")
    assert verdict.outcome is Outcome.VIOLATES and verdict.due == dt.date(2024, 9, 11)
    fresh = Device(
        ips=("10.1.0.4",), manufacturer="hikvision", findings=(_kev("cve-x", "2026-11-20", "2026-12-11"),)
    )
    assert _one(fresh, "KEV-PATCHING").outcome is Outcome.COMPLIES
    clean = Device(ips=("10.1.0.6",), manufacturer="axis")
    assert _one(clean, "KEV-PATCHING").outcome is Outcome.UNDETERMINED  # nothing was assessed
    assert _one(clean, "KEV-PATCHING", assessed=True).outcome is Outcome.COMPLIES
    unsure = Device(ips=("10.1.0.7",), findings=(_kev("cve-y", "2024-08-21", "2024-09-11", "undetermined"),))
    assert _one(unsure, "KEV-PATCHING").outcome is Outcome.UNDETERMINED


USER_PACK = """\
schema: camaudit.policy/1
id: KEV-30-DAYS
name: No device with a KEV finding older than 30 days
binds:
  text: our own rule
equipment: any
severity: critical
requires:
  - kind: patch_by
    max_age_days: 30
    text: no known-exploited vulnerability left unpatched for more than 30 days
    source: https://www.cisa.gov/known-exploited-vulnerabilities-catalog
sources:
  - https://www.cisa.gov/known-exploited-vulnerabilities-catalog
"""


def test_a_user_pack_no_kev_finding_older_than_30_days(tmp_path: Path) -> None:
    path = tmp_path / "kev30.yaml"
    path.write_text(USER_PACK, encoding="utf-8")
    pack = read_pack_file(path)
    device = Device(
        ips=("10.1.0.3",), manufacturer="hikvision", findings=(_kev("cve-z", "2026-10-01", "2026-10-22"),)
    )
    seen = {device.key: Context(first_seen=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))}
    # Known here since 1 Nov (later than the KEV listing): 22 days old on 23 Nov, within 30.
    fine = evaluate([device], [pack], Config(), today=TODAY, contexts=seen).verdicts[0]
    assert fine.outcome is Outcome.COMPLIES and fine.due == dt.date(2026, 12, 1)
    late = evaluate([device], [pack], Config(), today=dt.date(2026, 12, 5), contexts=seen).verdicts[0]
    assert late.outcome is Outcome.VIOLATES and "overdue by 4 days" in late.reason


# --- the lab, scanned for real --------------------------------------------------------------

FAST = Limits(rate=2000, connect_timeout=1.5, read_timeout=1.5, udp_wait=1.0)
COVERED = {"hikvision", "dahua"}
CLEAN = {"axis", "bosch", "hanwha"}


@pytest.fixture(scope="module")
def lab_scan(lab: Lab) -> ScanResult:
    addresses = [entry["address"] for entry in lab.manifest()]
    return asyncio.run(run_scan(Scope.parse(addresses), FAST))


def _lab_config(lab: Lab, sensitive: str = "") -> Config:
    network = lab.manifest()[0]["address"].rsplit(".", 1)[0] + ".0/24"
    return _config(
        f"""\
[organisation]
jurisdictions = ["US", "UK", "TW"]
federal_contractor = true
uk_central_government = true
tw_public_agency = true
[[sites]]
name = "Lab"
networks = ["{network}"]
purposes = ["government_facility_security"]
{sensitive}
"""
    )


def test_lab_ndaa_and_fcc_flag_every_hikvision_and_dahua_device_and_no_other(
    lab: Lab, lab_scan: ScanResult
) -> None:
    report = evaluate(lab_scan.devices, select_packs(["US-NDAA-889", "US-FCC-COVERED"]), _lab_config(lab))
    by_pack: dict[str, dict[str, Verdict]] = {}
    for verdict in report.verdicts:
        by_pack.setdefault(verdict.pack.id, {})[verdict.device.ip] = verdict
    expected = {e["address"]: e["expected"] for e in lab.manifest()}
    rebrands = set()
    for pack_id, verdicts in by_pack.items():
        for ip, want in expected.items():
            verdict = verdicts[ip]
            if want["manufacturer"] in COVERED:
                assert verdict.outcome is Outcome.VIOLATES, (pack_id, ip, verdict.reason)
                if want["brand"] != want["manufacturer"]:
                    rebrands.add(want["brand"])
                    title = verdict.finding().title
                    assert (
                        f"sold as {display(want['brand'])}, made by {display(want['manufacturer'])}" in title
                    )
            elif want["manufacturer"] in CLEAN | {"uniview"}:
                assert verdict.outcome is Outcome.COMPLIES, (pack_id, ip, verdict.reason)
            else:  # liar, hostile, web server, printer: never a violation
                assert verdict.outcome is not Outcome.VIOLATES, (pack_id, ip, verdict.reason)
    assert {"lorex", "amcrest", "lts", "annke", "ezviz"} <= rebrands


def test_lab_uk_pack_is_undetermined_until_site_sensitivity_is_declared(
    lab: Lab, lab_scan: ScanResult
) -> None:
    pack = select_packs(["UK-CO-SENSITIVE-SITES-2022"])
    expected = {e["address"]: e["expected"]["manufacturer"] for e in lab.manifest()}
    prc = {ip for ip, maker in expected.items() if maker in COVERED | {"uniview"}}
    unknown = evaluate(lab_scan.devices, pack, _lab_config(lab)).verdicts
    assert {v.device.ip for v in unknown if v.outcome is Outcome.UNDETERMINED} >= prc
    for verdict in unknown:
        if verdict.device.ip in prc:
            assert "sensitivity of site Lab" in verdict.missing
    declared = evaluate(lab_scan.devices, pack, _lab_config(lab, "sensitive = true")).verdicts
    assert {v.device.ip for v in declared if v.outcome is Outcome.VIOLATES} == prc
    assert all(v.outcome is Outcome.COMPLIES for v in declared if expected.get(v.device.ip) in CLEAN)
