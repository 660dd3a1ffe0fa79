"""The assessment framework: gating, ordering, errors as data, options that never leak secrets."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pytest

from camaudit.assess import AssessOptions, Check, Context, assess, undetermined
from camaudit.errors import ProtocolError
from camaudit.model import Device, Finding, FindingKind, Observation, Severity, Transport


@dataclass(frozen=True)
class FakeCheck:
    id: str
    maker: str | None = "hikvision"
    on: bool = True
    severity: Severity = Severity.LOW
    boom: Exception | None = None

    def enabled(self, options: AssessOptions) -> bool:
        return self.on

    def applies_to(self, device: Device) -> bool:
        return self.maker is None or device.manufacturer == self.maker

    async def run(self, device: Device, context: Context) -> Sequence[Finding]:
        if self.boom is not None:
            raise self.boom
        seen = len(context.observations_for(device))
        title = f"{self.id} saw {seen} observation(s) and {len(device.findings)} earlier finding(s)"
        return [Finding(self.id, FindingKind.EXPOSURE, self.severity, title)]


def _obs(ip: str) -> Observation:
    return Observation("probe:tcp", ip, 80, Transport.TCP, "tcp", "tcp.open")


HIK = Device(ips=("127.0.0.2",), manufacturer="hikvision")
DAHUA = Device(ips=("127.0.0.3",), manufacturer="dahua")


def _run(
    devices: Sequence[Device], checks: Sequence[Check], ctx: Context | None = None
) -> tuple[Device, ...]:
    return asyncio.run(assess(devices, ctx or Context(), checks))


def test_checks_run_only_where_enabled_and_applicable() -> None:
    checks = [FakeCheck("a"), FakeCheck("b", on=False), FakeCheck("c", maker="dahua")]
    hik, dahua = _run([HIK, DAHUA], checks)
    assert [f.check_id for f in hik.findings] == ["a"]
    assert [f.check_id for f in dahua.findings] == ["c"]


def test_devices_keep_their_order_and_findings_are_sorted_by_severity() -> None:
    checks = [FakeCheck("low", maker=None), FakeCheck("crit", maker=None, severity=Severity.CRITICAL)]
    out = _run([DAHUA, HIK], checks)
    assert [d.ip for d in out] == [DAHUA.ip, HIK.ip]
    assert [f.check_id for f in out[0].findings] == ["crit", "low"]


def test_a_later_check_sees_earlier_findings_and_the_devices_own_observations() -> None:
    ctx = Context(observations=(_obs("127.0.0.2"), _obs("127.0.0.2"), _obs("127.0.0.9")))
    (hik,) = _run([HIK], [FakeCheck("first"), FakeCheck("second")], ctx)
    titles = {f.check_id: f.title for f in hik.findings}
    assert titles["second"] == "second saw 2 observation(s) and 1 earlier finding(s)"


def test_device_nonsense_becomes_an_undetermined_finding_with_the_reason() -> None:
    (hik,) = _run([HIK], [FakeCheck("x", boom=ProtocolError("truncated XML"))])
    (finding,) = hik.findings
    assert finding.status == "undetermined" and finding.details["reason"] == "truncated XML"


def test_a_bug_in_a_check_is_not_swallowed() -> None:
    with pytest.raises(ZeroDivisionError):
        _run([HIK], [FakeCheck("x", boom=ZeroDivisionError())])


def test_public_options_never_carry_credentials() -> None:
    secret = object()
    opts = AssessOptions(internet_facing=(ipaddress.ip_network("127.0.0.0/8"),), credentials=secret)
    assert opts.public() == {
        "verify": True,
        "internet_facing": ["127.0.0.0/8"],
        "check_default_credentials": False,
        "credentials": True,
    }
    assert " credentials=" not in repr(opts) and "object at" not in repr(opts)


def test_undetermined_bounds_its_reason() -> None:
    f = undetermined("cve-x", "t", "r" * 1000)
    assert f.status == "undetermined" and len(f.details["reason"]) == 300 and not f.verified


def test_a_verified_finding_supersedes_the_inferred_one_and_keeps_its_evidence() -> None:
    from camaudit.assess import superseded
    from camaudit.model import Evidence, Finding, FindingKind, Severity

    outside = Evidence(kind="sadp.reply", field="sadp.HCPlatformEnable", value="true")
    inside = Evidence(kind="auth.read", field="auth.cloud", value="enabled")
    inferred = Finding(
        "exposure-hik-connect-enabled", FindingKind.EXPOSURE, Severity.MEDIUM, "cloud", (outside,)
    )
    verified = Finding("auth-cloud-enabled", FindingKind.EXPOSURE, Severity.MEDIUM, "cloud", (inside,),
                       verified=True)  # fmt: skip
    other = Finding("exposure-http-cleartext", FindingKind.EXPOSURE, Severity.MEDIUM, "http", (outside,))
    kept = superseded([inferred, verified, other])
    assert [f.check_id for f in kept] == ["auth-cloud-enabled", "exposure-http-cleartext"]
    assert kept[0].evidence == (inside, outside)
    assert [f.check_id for f in superseded([inferred, other])] == [inferred.check_id, other.check_id]


def test_firmware_read_by_the_owner_replaces_what_strangers_see() -> None:
    from camaudit.assess import from_owner_reads
    from camaudit.model import Device, Evidence, Finding, FindingKind, Severity

    read = Evidence(kind="auth.read", field="auth.device.firmware", value="V5.4.0build 160530")
    summary = Finding(
        "authenticated-audit", FindingKind.EXPOSURE, Severity.INFO, "read", (read,), verified=True
    )
    device = Device(ips=("127.0.0.1",), manufacturer="hikvision", firmware="build 2016-05-30",
                    firmware_inferred=True, findings=(summary,))  # fmt: skip
    refined = from_owner_reads(device)
    assert (refined.firmware, refined.firmware_inferred) == ("V5.4.0 build 160530", False)
    assert refined.firmware_build == date(2016, 5, 30)
    assert read in refined.evidence
    unverified = Device(
        ips=("127.0.0.1",), findings=(Finding("x", FindingKind.EXPOSURE, Severity.INFO, "t", (read,)),)
    )
    assert from_owner_reads(unverified) == unverified  # only a verified (logged-in) read counts
