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
from camaudit.cli.scan_findings import internet_networks, print_findings
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
    assert "cve-2017-7921 [CISA KEV] [verified]" in result.stderr
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


def test_device_strings_cannot_inject_markup() -> None:
    f = Finding("cve-x", FindingKind.VULNERABILITY, Severity.HIGH, "[bold red]boom[/]", status="affected")
    console = Console(record=True, width=200)
    print_findings([Device(ips=("127.0.0.1",), model="[link=x]m[/link]", findings=(f,))], console)
    text = console.export_text()
    assert "[bold red]boom[/]" in text and "[link=x]m[/link]" in text
