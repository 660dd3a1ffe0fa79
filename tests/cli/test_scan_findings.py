"""`camaudit scan` assessment output: findings per device on the console and in JSON, --no-verify,
--internet-facing, and no state-changing request with every option on."""

from __future__ import annotations

import json
from typing import Any

import click
import pytest
from click.testing import CliRunner
from rich.console import Console

from camaudit.cli import _register, cli
from camaudit.cli.scan_findings import internet_networks, print_findings, print_groups
from camaudit.lab.runner import Lab
from camaudit.model import Device, Finding, FindingKind, Severity


def _scan(lab: Lab, *extra: str) -> tuple[Any, dict[str, Any], list[Any]]:
    _register()
    where = {e["profile"]: e["address"] for e in lab.manifest()}
    first = len(lab.requests)
    args = ["scan", where["hikvision-ipc-cve-2017-7921"], where["liar"], "--no-db", "--json", "-", *extra]
    result = CliRunner().invoke(cli, [*args, "--timeout", "1.5"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    return result, {d["ip"]: d for d in doc["devices"]}, lab.requests[first:]


def test_findings_are_printed_and_written_and_nothing_changed_state(lab: Lab) -> None:
    where = {e["profile"]: e["address"] for e in lab.manifest()}
    net = where["liar"] + "/32"
    result, devices, sent = _scan(lab, "--internet-facing", net)
    hik = {f["check_id"]: f for f in devices[where["hikvision-ipc-cve-2017-7921"]]["findings"]}
    assert hik["cve-2017-7921"]["verified"] is True and hik["cve-2017-7921"]["status"] == "affected"
    assert "cve-2017-7921 [CISA KEV, 1 verified, CVSS 10]" in result.stderr  # grouped by check
    assert f"(on 1 device: {where['hikvision-ipc-cve-2017-7921']})" in result.stderr
    liar = devices[where["liar"]]["findings"]
    assert not [f for f in liar if f["verified"]]
    assert "exposure-internet-facing" in {f["check_id"] for f in liar}
    assert sent and not [r for r in sent if r.state_changing]


def test_no_verify_sends_no_verification_request(lab: Lab) -> None:
    where = {e["profile"]: e["address"] for e in lab.manifest()}
    _, devices, sent = _scan(lab, "--no-verify")
    hik = {f["check_id"]: f for f in devices[where["hikvision-ipc-cve-2017-7921"]]["findings"]}
    assert hik["cve-2017-7921"]["status"] == "affected" and hik["cve-2017-7921"]["verified"] is False
    assert not [r for r in sent if "auth=" in r.path]


def test_internet_facing_values_are_checked() -> None:
    assert [str(n) for n in internet_networks(["10.0.0.0/8, 192.0.2.1", ""])] == [
        "10.0.0.0/8",
        "192.0.2.1/32",
    ]
    with pytest.raises(click.BadParameter, match="not an address"):
        internet_networks(["10.0.0.0/33"])


def test_verbose_lists_findings_per_device(lab: Lab) -> None:
    result, _, _ = _scan(lab, "-v")
    assert "cve-2017-7921 [CISA KEV] [verified]" in result.stderr


def test_groups_name_each_check_once_with_its_devices() -> None:
    from camaudit.report.views.findings import of_devices

    f = Finding("exposure-x", FindingKind.EXPOSURE, Severity.MEDIUM, "[b]clear[/b]", status="affected")
    devices = [Device(ips=(f"127.0.0.{i}",), findings=(f,)) for i in range(1, 11)]
    console = Console(record=True, width=300)
    print_groups(of_devices(devices), console)
    lines = [line for line in console.export_text().splitlines() if "exposure-x" in line]
    assert len(lines) == 1
    assert "[b]clear[/b]" in lines[0] and "on 10 devices: 127.0.0.1" in lines[0] and "and 2 more" in lines[0]


def test_device_strings_cannot_inject_markup() -> None:
    f = Finding("cve-x", FindingKind.VULNERABILITY, Severity.HIGH, "[bold red]boom[/]", status="affected")
    console = Console(record=True, width=200)
    print_findings([Device(ips=("127.0.0.1",), model="[link=x]m[/link]", findings=(f,))], console)
    text = console.export_text()
    assert "[bold red]boom[/]" in text and "[link=x]m[/link]" in text
