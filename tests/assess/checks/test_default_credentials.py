"""The opt-in default-credential check against the lab: the default-password device is found, the
lockout device is never locked out, attempts are spaced and budgeted, the password is never written."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import start_lab

from camaudit.assess.authenticated import Login
from camaudit.assess.checks import default_credentials as check
from camaudit.assess.checks.default_credentials import CHECK, budget_text
from camaudit.assess.framework import AssessOptions, Context
from camaudit.assess.runner import assess
from camaudit.data.default_credentials import MAX_PAIRS, load_defaults, parse_defaults
from camaudit.data.load import parse_text
from camaudit.errors import DataFileError
from camaudit.lab.profile import load_profiles
from camaudit.lab.runner import Lab
from camaudit.model import Device, FindingKind, Severity, to_dict
from camaudit.net.connector import Connector
from camaudit.net.limits import Limits
from camaudit.pipeline.scan import run_scan
from camaudit.scope import Scope

PROFILES = ["dahua-ipc-default-password", "hikvision-nvr-lockout", "dahua-ipc", "liar"]
FAST = Limits(rate=2000, connect_timeout=1.5, read_timeout=1.5, udp_wait=1.0)


@pytest.fixture(scope="module")
def audited() -> Iterator[tuple[Lab, dict[str, Device], int]]:
    runner = start_lab(profiles=PROFILES)
    lab = runner.lab
    try:
        scope = Scope.parse([e["address"] for e in lab.manifest()])
        scan = asyncio.run(run_scan(scope, FAST))
        first = len(lab.requests)
        context = Context(
            scan.observations, AssessOptions(check_default_credentials=True), Connector(FAST, scope=scope)
        )
        devices = asyncio.run(assess(scan.devices, context, [CHECK]))
        by_profile = {e["profile"]: d for e in lab.manifest() for d in devices if d.ip == e["address"]}
        yield lab, by_profile, first
    finally:
        runner.stop()


def _mine(device: Device) -> list[Any]:
    return [f for f in device.findings if f.check_id == check.ID]


def test_the_default_password_device_is_a_critical_verified_finding(audited: Any) -> None:
    _, devices, _ = audited
    (finding,) = _mine(devices["dahua-ipc-default-password"])
    assert (finding.severity, finding.kind, finding.verified) == (
        Severity.CRITICAL,
        FindingKind.CREDENTIAL,
        True,
    )
    assert finding.details["account"] == "admin" and "'admin'" in finding.title
    assert finding.evidence and finding.evidence[0].value == "admin"


def test_the_lockout_device_is_never_locked_out(audited: Any) -> None:
    lab, devices, first = audited
    sent = [r for r in lab.requests[first:] if r.device == "hikvision-nvr-lockout" and r.auth]
    threshold = {p.id: p for p in load_profiles(["hikvision-nvr-lockout"])}["hikvision-nvr-lockout"]
    assert threshold.credentials is not None and threshold.credentials.lockout is not None
    failures = [r for r in sent if r.auth == "fail"]
    assert 0 < len(failures) < threshold.credentials.lockout.after
    assert "locked" not in [r.auth for r in sent]
    (finding,) = _mine(devices["hikvision-nvr-lockout"])
    assert finding.status == "undetermined" and "attempt(s) left" in finding.details["reason"]


def test_a_device_refusing_both_defaults_gets_two_spaced_attempts(audited: Any) -> None:
    lab, devices, first = audited
    (finding,) = _mine(devices["dahua-ipc"])
    assert finding.status == "not_affected" and finding.details["accounts_tried"] == "admin,888888"
    tries = [r for r in lab.requests[first:] if r.device == "dahua-ipc" and r.auth]
    assert [r.auth for r in tries] == ["sent", "sent"]  # dahua-ipc has no lab accounts: all refused
    assert tries[1].time - tries[0].time >= 1.0


def test_no_state_change_and_no_password_anywhere_in_the_findings(audited: Any) -> None:
    lab, devices, first = audited
    assert [r for r in lab.requests[first:] if r.state_changing] == []
    assert {r.method for r in lab.requests[first:]} == {"GET"}
    text = json.dumps([to_dict(d) for d in devices.values()])
    for family in load_defaults().values():
        for pair in family.pairs:
            assert f'"{pair.password}"' not in text or pair.password == pair.username


def test_the_liar_gets_no_credential_finding(audited: Any) -> None:
    _, devices, _ = audited
    assert [f for f in devices["liar"].findings if f.severity is Severity.CRITICAL] == []


def test_off_by_default_and_budget_is_stated() -> None:
    assert not CHECK.enabled(AssessOptions())
    assert CHECK.applies_to(Device(ips=("10.0.0.1",), manufacturer="hikvision", brand="annke"))
    assert not CHECK.applies_to(Device(ips=("10.0.0.1",), manufacturer="axis"))
    text = budget_text()
    assert f"at most {MAX_PAIRS} login attempt(s)" in text and "s apart" in text
    assert check.SPACING >= 1.0


def test_the_data_file_keeps_the_two_pair_budget_and_sources() -> None:
    for family in load_defaults().values():
        assert 1 <= len(family.pairs) <= MAX_PAIRS
        assert all(p.source.startswith("https://") for p in family.pairs)
    three = """schema: camaudit.default_credentials/1
sources: [x]
families:
  - manufacturer: dahua
    protocol: http-digest
    path: /a
    lockout: {after: 3, source: "https://example.org/lockout"}
    pairs:
      - {username: a, password: a, source: "https://example.org/a"}
      - {username: b, password: b, source: "https://example.org/b"}
      - {username: c, password: c, source: "https://example.org/c"}
"""
    with pytest.raises(DataFileError, match=r"defaults.yaml:9: families.0.pairs: must list 1 to 2"):
        parse_defaults(parse_text(three, "defaults.yaml"))


@pytest.mark.parametrize(
    ("login", "stops"),
    [
        (Login("refused", 401, "credentials refused", None, 0.05), False),
        (Login("refused", 401, "credentials refused", 5, 0.05), False),
        (Login("refused", 401, "credentials refused", 2, 0.05), True),
        (Login("locked", 401, "the device reports a lockout"), True),
        (Login("locked", 403, "403 before any credentials were sent"), True),
        (Login("rate_limited", 429, "429 Too Many Requests"), True),
        (Login("refused", 401, "credentials refused", None, 4.0), True),  # a sudden delay
        (Login("no_digest", 401, "Basic only"), True),
    ],
)
def test_every_sign_of_lockout_or_rate_limiting_stops_the_check(login: Login, stops: bool) -> None:
    assert (check._stop_reason(login, baseline=0.05) is not None) is stops


# --- issue 13: the lockout counter outlives one audit -------------------------------------------------


def _logins_to(lab: Lab) -> int:
    return sum(1 for r in lab.requests if r.auth)


def test_repeated_audits_never_bring_the_nvr_to_its_lockout(tmp_path: Any) -> None:
    """Four audits in a row, one register (before issue 13 each sent one failed login and the third locked
    the NVR): the first sends one, which the NVR answers with "2 attempts left", a sign of lockout the
    register keeps; the next three refuse and say why. The NVR is never locked."""
    from camaudit.store import Register

    runner = start_lab(profiles=["hikvision-nvr-lockout"])
    try:
        lab = runner.lab
        address = lab.manifest()[0]["address"]
        scope = Scope.parse([address])
        options = AssessOptions(check_default_credentials=True)
        findings = []
        with Register(tmp_path / "r.sqlite") as register:
            for _ in range(4):
                result = asyncio.run(run_scan(scope, FAST, register=register, assessment=options))
                (device,) = [d for d in result.devices if d.ip == address]
                findings.append(_mine(device)[0])
        assert _logins_to(lab) == 1
        assert [f.status for f in findings] == ["undetermined"] * 4
        for refused in findings[1:]:
            assert refused.title == "Default credentials: not checked"
            assert "showed a sign of lockout" in refused.details["reason"]
        assert not any(r.auth == "locked" for r in lab.requests)
    finally:
        runner.stop()


def test_failures_across_audits_stop_one_short_of_the_threshold_and_a_sign_stops_at_once() -> None:
    from datetime import timedelta

    from camaudit.data.default_credentials import Lockout
    from camaudit.model import LoginAttempt, utcnow

    lockout = Lockout(5, 24, "https://example.org/manual")
    now = utcnow()
    failed = [
        LoginAttempt("ip:10.0.0.1", "10.0.0.1", now - timedelta(hours=n), check.ID, "refused") for n in (3, 2)
    ]
    assert check.allowed_attempts(lockout, failed, now) == (2, "")
    left, why = check.allowed_attempts(lockout, [*failed, *failed], now)
    assert left == 0 and "4 failed login(s) in the last 24 h" in why and "threshold (5) minus one" in why
    locked = LoginAttempt("ip:10.0.0.1", "10.0.0.1", now - timedelta(hours=2), check.ID, "locked", True)
    assert check.allowed_attempts(lockout, [locked], now)[0] == 0
    old = LoginAttempt("ip:10.0.0.1", "10.0.0.1", now - timedelta(hours=30), check.ID, "refused")
    assert check.allowed_attempts(lockout, [old] * 10, now) == (4, "")  # forgotten after 24 h
    ok = LoginAttempt("ip:10.0.0.1", "10.0.0.1", now - timedelta(hours=1), check.ID, "ok")
    fail = LoginAttempt("ip:10.0.0.1", "10.0.0.1", now - timedelta(hours=3), check.ID, "refused")
    assert check.allowed_attempts(lockout, [fail, fail, fail, ok], now) == (4, "")  # a login resets it
