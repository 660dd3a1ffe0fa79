"""`camaudit devices`: tables and JSON from the register."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.store.conftest import finding, hik, record_audit

from camaudit.cli import _register, cli
from camaudit.model import Device
from camaudit.report.views.devices import device_json
from camaudit.store import Register


def _run(args: list[str]) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "register.sqlite"
    with Register(path) as register:
        hostile = Device(ips=("127.0.0.9",), model="[bold red]<script>alert(1)</script>[/]", ports=(80,))
        record_audit(register, "a" * 32, [hik(findings=(finding(),)), hostile])
        register.annotate(1, site="HQ", status="to_replace")
    return path


def test_devices_json_keeps_the_scan_device_shape(db: Path) -> None:
    code, out, _ = _run(["devices", "--db", str(db), "--json"])
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "camaudit.devices/1" and doc["audit"]["id"] == "a" * 32
    shape = set(device_json(Device(ips=("127.0.0.1",))))
    assert all(shape <= set(d) for d in doc["devices"])
    first = doc["devices"][0]
    assert (first["model"], first["register"]["site"], first["register"]["status"]) == (
        "DS-2CD2347G2-LU",
        "HQ",
        "to_replace",
    )


def test_devices_table_shows_hostile_strings_as_text(db: Path) -> None:
    code, out, _ = _run(["devices", "--db", str(db)])
    assert code == 0
    assert "[bold red]<script>alert(1)</script>[/]" in out  # printed, not read as rich markup
    assert "to replace" in out


def test_every_device_with_all(db: Path) -> None:
    code, out, _ = _run(["devices", "--all", "--db", str(db), "--json"])
    assert code == 0 and json.loads(out)["audit"] is None and len(json.loads(out)["devices"]) == 2


def test_a_missing_register_is_one_line_and_exit_2(tmp_path: Path) -> None:
    code, out, err = _run(["devices", "--db", str(tmp_path / "none.sqlite")])
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "no register" in err
    assert not (tmp_path / "none.sqlite").exists()


def test_the_default_register_is_in_the_data_directory(private_data_home: Path) -> None:
    with Register() as register:
        record_audit(register, "b" * 32, [hik()])
    assert (private_data_home / "camaudit" / "register.sqlite").is_file()
    code, out, _ = _run(["devices", "--json"])
    assert code == 0 and json.loads(out)["audit"]["id"] == "b" * 32
