"""Each requirement rule on its own: outcomes, reasons, missing evidence and due dates."""

from __future__ import annotations

import datetime as dt

from camaudit.config import Config, Site, parse_config
from camaudit.data.policies import Obligation, Requirement
from camaudit.model import Device, Finding, FindingKind, Severity
from camaudit.policy.obligations import Context, Facts, Outcome, Step, apply, kev_dates, worst

TODAY = dt.date(2026, 11, 23)
CAM = Device(ips=("10.1.0.5",), manufacturer="hikvision", device_type="ip_camera")
SRC = "https://example.org/rule"


def _facts(site: Site | None = None, config: Config | None = None, context: Context | None = None) -> Facts:
    return Facts(CAM, site, context or Context(), config or Config(), TODAY, False)


def test_no_use_is_in_force_only_from_its_date() -> None:
    later = Obligation(Requirement.NO_USE, "t", SRC, since=dt.date(2030, 1, 1))
    assert apply(later, _facts()).outcome is Outcome.COMPLIES
    now = Obligation(Requirement.NO_USE, "t", SRC, since=dt.date(2020, 1, 1))
    site = Site("HQ", deadline=dt.date(2027, 1, 1))
    step = apply(now, _facts(site))
    assert step.outcome is Outcome.VIOLATES and step.due == dt.date(2027, 1, 1)


def test_core_network_needs_declared_networks() -> None:
    ob = Obligation(Requirement.NOT_ON_CORE_NETWORK, "t", SRC)
    assert apply(ob, _facts()).missing == ("the departmental core networks",)  # words, not a key
    core = parse_config('[networks]\ncore = ["10.1.0.0/24"]\n', "c")
    assert apply(ob, _facts(config=core)).outcome is Outcome.VIOLATES
    elsewhere = parse_config('[networks]\ncore = ["192.168.0.0/16"]\n', "c")
    assert apply(ob, _facts(config=elsewhere)).outcome is Outcome.COMPLIES


def test_sensitive_site_three_ways() -> None:
    ob = Obligation(Requirement.NO_SENSITIVE_SITE, "t", SRC)
    assert apply(ob, _facts()).outcome is Outcome.UNDETERMINED
    assert apply(ob, _facts(Site("A"))).missing == ("sensitivity of site A",)
    assert apply(ob, _facts(Site("A", sensitive=True))).outcome is Outcome.VIOLATES
    assert apply(ob, _facts(Site("A", sensitive=False))).outcome is Outcome.COMPLIES


def test_worst_keeps_the_reasons_of_the_worst_outcome() -> None:
    steps = [
        Step(Outcome.COMPLIES, "fine"),
        Step(Outcome.UNDETERMINED, "a", ("x",)),
        Step(Outcome.UNDETERMINED, "b", ("y", "x")),
    ]
    combined = worst(steps)
    assert (combined.outcome, combined.reason, combined.missing) == (Outcome.UNDETERMINED, "a; b", ("x", "y"))


def test_kev_dates_read_the_cve_checks_details() -> None:
    details = {"cisa_kev": "true", "cisa_kev_added": "2024-08-21", "cisa_kev_due": "2024-09-11"}
    finding = Finding("cve-2021-33044", FindingKind.VULNERABILITY, Severity.CRITICAL, "t", details=details)
    assert kev_dates(finding) == (dt.date(2024, 9, 11), dt.date(2024, 8, 21))
    plain = Finding("cve-x", FindingKind.VULNERABILITY, Severity.HIGH, "t", details={"cisa_kev": "false"})
    assert kev_dates(plain) is None
    policy = Finding("policy-x", FindingKind.POLICY, Severity.HIGH, "t", details=details)
    assert kev_dates(policy) is None
