"""Findings grouped by check: one group per check and conclusion, worst first, devices listed."""

from __future__ import annotations

from camaudit.model import Device, Finding, FindingKind, Severity
from camaudit.report.views.findings import addresses, of_devices


def _f(check: str, severity: Severity, status: str = "affected", **details: str) -> Finding:
    return Finding(
        check, FindingKind.VULNERABILITY, severity, f"title {check}", status=status, details=details
    )


def test_one_group_per_check_worst_first_with_cvss_and_fixed_firmware() -> None:
    clear = _f("exposure-http", Severity.MEDIUM)
    cve = _f("cve-1", Severity.CRITICAL, cvss="9.8", fixed="V5.5.800", cisa_kev="true")
    unsure = _f("cve-1", Severity.INFO, "undetermined", reason="firmware unknown")
    devices = [
        Device(ips=("10.0.0.1",), findings=(cve, clear)),
        Device(ips=("10.0.0.2",), findings=(clear,)),
        Device(ips=("10.0.0.3",), findings=(unsure, clear)),
    ]
    groups = of_devices(devices)
    assert [(g["check_id"], g["undetermined"], g["count"]) for g in groups] == [
        ("cve-1", False, 1),
        ("exposure-http", False, 3),
        ("cve-1", True, 1),
    ]
    assert (groups[0]["cvss"], groups[0]["fixed"], groups[0]["kev"]) == ("9.8", "V5.5.800", True)
    assert groups[2]["reason"] == "firmware unknown"
    assert addresses(groups[1], limit=2) == "10.0.0.1, 10.0.0.2 and 1 more"
