"""`devices` and `findings` filters on a register of four devices: maker, brand, type, site, severity,
KEV, check; findings one line per check with the devices it was found on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.store.conftest import finding, hik, record_audit

from camaudit.cli import _register, cli
from camaudit.model import Severity
from camaudit.store import Reader, Register

CLEARTEXT = "http-cleartext-login"


def _devices() -> list:  # type: ignore[type-arg]
    web = finding(CLEARTEXT, severity=Severity.MEDIUM, title="Login over cleartext HTTP", details={})
    return [
        hik("10.0.0.1", findings=(finding(), web), mac="00:11:22:33:44:01", serial="A1"),
        hik("10.0.0.2", findings=(web,), mac="00:11:22:33:44:02", serial="A2"),
        hik(
            "10.0.0.3",
            brand="lorex",
            manufacturer="dahua",
            model="LNB8005",
            device_type="nvr",
            findings=(web,),
            mac="00:11:22:33:44:03",
            serial="A3",
        ),
        hik(
            "10.0.0.4",
            brand="axis",
            manufacturer="axis",
            model="P3245",
            findings=(),
            mac="00:11:22:33:44:04",
            serial="A4",
        ),
    ]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "r.sqlite"
    with Register(path) as register:
        record_audit(register, "a" * 32, _devices())
        with Reader(path) as reader:
            lorex = reader.device_id("10.0.0.3")
        register.annotate(lorex, site="Depot")
    return path


def _ips(db: Path, *args: str) -> list[str]:
    _register()
    result = CliRunner().invoke(cli, ["devices", "--db", str(db), "--json", *args])
    assert result.exit_code == 0, result.stderr
    return [d["ip"] for d in json.loads(result.stdout)["devices"]]


def test_device_filters(db: Path) -> None:
    assert _ips(db) == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]
    assert _ips(db, "--maker", "Hikvision") == ["10.0.0.1", "10.0.0.2"]  # the name or the id
    assert _ips(db, "--maker", "dahua") == _ips(db, "--brand", "lorex") == ["10.0.0.3"]
    assert _ips(db, "--type", "nvr") == _ips(db, "--site", "depot") == ["10.0.0.3"]
    assert _ips(db, "--severity", "critical") == _ips(db, "--kev") == ["10.0.0.1"]
    assert _ips(db, "--severity", "medium") == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    assert _ips(db, "--check", CLEARTEXT, "--maker", "hikvision") == ["10.0.0.1", "10.0.0.2"]
    assert _ips(db, "--maker", "bosch") == []


def test_findings_one_line_per_check_and_filtered(db: Path) -> None:
    _register()
    result = CliRunner().invoke(cli, ["findings", "--db", str(db)])
    assert result.exit_code == 0
    [row] = [line for line in result.stdout.splitlines() if CLEARTEXT in line]  # one line, three devices
    assert "3: 10.0.0.1, 10.0.0.2, 10.0.0.3" in row
    assert "(4 on 3 devices, 2 checks)" in result.stdout

    result = CliRunner().invoke(cli, ["findings", "--db", str(db), "--json", "--maker", "dahua"])
    doc = json.loads(result.stdout)
    assert [(g["check_id"], g["count"]) for g in doc["by_check"]] == [(CLEARTEXT, 1)]
    assert doc["filter"] == "maker dahua"
    result = CliRunner().invoke(cli, ["findings", "--db", str(db), "--json", "--kev"])
    assert [f["check_id"] for f in json.loads(result.stdout)["findings"]] == ["cve-2017-7921"]
    each = CliRunner().invoke(cli, ["findings", "--db", str(db), "--each"])
    assert each.stdout.count(CLEARTEXT) == 3  # one row per finding when asked


def test_fail_on_after_the_filters(db: Path) -> None:
    _register()
    args = ["findings", "--db", str(db), "--fail-on", "critical"]
    assert CliRunner().invoke(cli, args).exit_code == 3
    assert CliRunner().invoke(cli, [*args, "--maker", "dahua"]).exit_code == 0
