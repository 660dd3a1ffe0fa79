"""`camaudit scan --check-default-credentials --credentials FILE` end to end against a fresh lab:
findings, the budget printed first, zero state-changing requests, no lockout, and the test password
nowhere in the JSON, the console or the register file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import start_lab

from camaudit.cli import _register, cli
from camaudit.lab.runner import Lab

OWNER_PASSWORD = "Owner-Set-9vQ2-lab"  # the lockout NVR's password in its lab profile
PROFILES = ["dahua-ipc-default-password", "hikvision-nvr-lockout", "liar"]


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    runner = start_lab(profiles=PROFILES)
    try:
        yield runner.lab
    finally:
        runner.stop()


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(cli, args, env=env)
    return result.exit_code, result.stdout, result.stderr


def _addresses(lab: Lab) -> dict[str, str]:
    return {e["profile"]: e["address"] for e in lab.manifest()}


def test_every_option_on_finds_the_default_password_and_leaks_nothing(lab: Lab, tmp_path: Path) -> None:
    where = _addresses(lab)
    creds = tmp_path / "creds.toml"
    creds.write_text(
        f'[[credentials]]\ntarget = "{where["hikvision-nvr-lockout"]}"\nusername = "admin"\n'
        'password_env = "CAM_NVR_PASSWORD"\n',
        encoding="utf-8",
    )
    out_json, db = tmp_path / "audit.json", tmp_path / "register.sqlite"
    first = len(lab.requests)
    code, out, err = _run(
        ["scan", *where.values(), "--rate", "2000", "--timeout", "1.5", "--check-default-credentials",
         "--credentials", str(creds), "--json", str(out_json), "--db", str(db)],
        env={"CAM_NVR_PASSWORD": OWNER_PASSWORD},
    )  # fmt: skip
    assert code == 0, err
    assert err.index("default-credential check: at most 2 login attempt(s)") < err.index("host(s) answered")
    doc = json.loads(out_json.read_text())
    findings = {d["ip"]: {f["check_id"]: f for f in d["findings"]} for d in doc["devices"]}
    dahua = findings[where["dahua-ipc-default-password"]]
    assert dahua["default-credentials"]["severity"] == "critical"
    assert dahua["default-credentials"]["details"]["account"] == "admin"
    nvr = findings[where["hikvision-nvr-lockout"]]
    assert "auth-nvr-cameras" in nvr and "auth-cloud-enabled" in nvr
    assert "critical" in err and "Vendor default password accepted for account 'admin'" in err
    assert doc["audit"]["options"]["credentials"] is True  # that a file was used, never what it held
    sent = lab.requests[first:]
    assert sent and [r for r in sent if r.state_changing] == []
    assert "locked" not in {r.auth for r in sent}
    assert len([r for r in sent if r.device == "hikvision-nvr-lockout" and r.auth == "fail"]) < 3
    for text in (out_json.read_text(), out, err, db.read_bytes().decode("latin-1")):
        assert OWNER_PASSWORD not in text


def test_a_malformed_credentials_file_stops_before_anything_is_probed(lab: Lab, tmp_path: Path) -> None:
    creds = tmp_path / "bad.toml"
    creds.write_text(
        f'[[credentials]]\ntarget = "brand:dahua"\nusername = "a"\npasswrd = "{OWNER_PASSWORD}"\n'
    )
    before = len(lab.requests)
    code, out, err = _run(["scan", *_addresses(lab).values(), "--credentials", str(creds), "--no-db"])
    assert code == 2
    assert f"{creds}:4: unknown key 'passwrd'" in err
    assert OWNER_PASSWORD not in out + err
    assert len(lab.requests) == before
