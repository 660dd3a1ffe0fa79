"""The authenticated-audit check: the owner's credentials turn read-only reads into findings
(cloud, UPnP, telnet/SSH, DDNS, push destinations, analytics, accounts, cameras behind an NVR)."""

from __future__ import annotations

import asyncio
import json

from tests.conftest import start_lab

from camaudit.assess.authenticated import AuthAudit, Login
from camaudit.assess.checks.authenticated import CHECK, findings
from camaudit.assess.credentials import parse_credentials
from camaudit.assess.framework import AssessOptions, Context
from camaudit.assess.runner import assess
from camaudit.model import Device, FindingKind, Observation, Severity, Transport, to_dict
from camaudit.net.connector import Connector
from camaudit.net.limits import Limits
from camaudit.pipeline.scan import run_scan
from camaudit.scope import Scope

OWNER_PASSWORD = "Owner-Set-9vQ2-lab"
FAST = Limits(rate=2000, connect_timeout=1.5, read_timeout=1.5, udp_wait=1.0)


def _read(**facts: str) -> Observation:
    return Observation("auth:isapi", "10.0.0.5", 80, Transport.TCP, "http", "auth.read",
                       {"auth.path": "/x", "auth.status": "200", **facts})  # fmt: skip


def test_facts_become_the_right_findings() -> None:
    audit = AuthAudit(
        (
            _read(**{"auth.cloud.hik_connect": "enabled", "auth.cloud.hik_connect.registered": "true"}),
            _read(
                **{
                    "auth.upnp": "disabled",
                    "auth.service.telnet": "enabled",
                    "auth.service.http": "enabled:80",
                }
            ),
            _read(
                **{
                    "auth.analytics.anpr": "disabled",
                    "auth.channel.1": "192.168.254.2 ONVIF",
                    "auth.channels": "1",
                }
            ),
        ),
        Login("ok", 200),
    )
    got = {f.check_id: f for f in findings(audit)}
    assert set(got) == {
        "authenticated-audit",
        "auth-cloud-enabled",
        "auth-telnet-enabled",
        "auth-nvr-cameras",
    }
    assert got["auth-telnet-enabled"].severity is Severity.HIGH
    assert dict(got["auth-cloud-enabled"].details) == {"auth.cloud.hik_connect": "enabled"}
    assert all(f.verified and f.evidence for f in got.values())
    assert all(e.kind == "auth.read" for f in got.values() for e in f.evidence)


def test_no_access_is_undetermined_never_safe() -> None:
    (finding,) = findings(AuthAudit((), Login("locked", 401, "the device reports a lockout")))
    assert finding.status == "undetermined" and "locked" in finding.details["reason"]


def test_enabled_only_with_a_credentials_file_and_only_for_planned_makers() -> None:
    creds = parse_credentials('[[credentials]]\ntarget = "brand:dahua"\nusername = "a"\npassword = "b"\n')
    assert not CHECK.enabled(AssessOptions()) and CHECK.enabled(AssessOptions(credentials=creds))
    assert CHECK.applies_to(Device(ips=("10.0.0.1",), manufacturer="dahua", brand="lorex"))
    assert not CHECK.applies_to(Device(ips=("10.0.0.1",), manufacturer="axis"))


def test_lab_nvr_audit_lists_cameras_and_never_stores_the_password() -> None:
    runner = start_lab(profiles=["hikvision-nvr-lockout", "hikvision-ipc"])
    try:
        lab = runner.lab
        scope = Scope.parse([e["address"] for e in lab.manifest()])
        scan = asyncio.run(run_scan(scope, FAST))
        text = (
            f'[[credentials]]\ntarget = "brand:hikvision"\nusername = "admin"\npassword = "{OWNER_PASSWORD}"'
        )
        options = AssessOptions(credentials=parse_credentials(text))
        devices = asyncio.run(
            assess(scan.devices, Context(scan.observations, options, Connector(FAST, scope=scope)), [CHECK])
        )
        nvr = next(d for d in devices if d.model == "DS-7608NI-K2/8P")
        ids = {f.check_id for f in nvr.findings}
        assert {"authenticated-audit", "auth-cloud-enabled", "auth-ssh-enabled", "auth-nvr-cameras"} <= ids
        cameras = next(f for f in nvr.findings if f.check_id == "auth-nvr-cameras")
        assert cameras.kind is FindingKind.EXPOSURE and cameras.details["auth.channels"] == "2"
        # The plain hikvision-ipc has no lab account: refused once, nothing read, nothing more sent.
        ipc = next(d for d in devices if d.model == "DS-2CD2347G2-LU")
        assert [f.status for f in ipc.findings] == ["undetermined"]
        dumped = json.dumps([to_dict(d) for d in devices])
        assert OWNER_PASSWORD not in dumped
        assert [r for r in lab.requests if r.state_changing] == []
    finally:
        runner.stop()
