"""Running the checks: gating, ordering, errors as data."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from camaudit.assess.framework import AssessOptions, Check, Context
from camaudit.assess.runner import assess
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
