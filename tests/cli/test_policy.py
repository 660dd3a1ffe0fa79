"""`camaudit policy` on the lab: from a scan JSON, from the register, config errors, JSON shape."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from camaudit.cli import _register, cli
from camaudit.lab.runner import Lab
from camaudit.net.limits import Limits
from camaudit.pipeline.scan import run_scan
from camaudit.report.views.devices import device_json, scan_json
from camaudit.scope import Scope
from camaudit.store import Register

FAST = Limits(rate=2000, connect_timeout=1.5, read_timeout=1.5, udp_wait=1.0)


def run(*args: str) -> Result:
    _register()
    return CliRunner().invoke(cli, list(args))


def lab_network(lab: Lab) -> str:
    return lab.manifest()[0]["address"].rsplit(".", 1)[0] + ".0/24"


def write_config(path: Path, lab: Lab, extra: str = "") -> Path:
    path.write_text(
        f"""\
[organisation]
jurisdictions = ["US"]
federal_contractor = true

[packs]
enabled = ["US-NDAA-889", "US-FCC-COVERED"]

[[sites]]
name = "Lab"
networks = ["{lab_network(lab)}"]
purposes = ["government_facility_security"]
{extra}
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def scanned(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One scan of the lab, kept both as `scan --json` output and in a register."""
    folder = tmp_path_factory.mktemp("policy")
    db = folder / "register.sqlite"
    addresses = [e["address"] for e in lab.manifest()]
    with Register(db) as register:
        result = asyncio.run(run_scan(Scope.parse(addresses), FAST, register=register))
    path = folder / "scan.json"
    path.write_text(json.dumps(scan_json(result)), encoding="utf-8")
    return {"db": db, "json": path, "folder": folder}


def _outcomes(data: dict[str, Any], pack: str) -> dict[str, str]:
    return {d["ip"]: next(p["outcome"] for p in d["policy"] if p["pack"] == pack) for d in data["devices"]}


def _check_lab_outcomes(lab: Lab, data: dict[str, Any]) -> None:
    expected = {e["address"]: e["expected"]["manufacturer"] for e in lab.manifest()}
    for pack in ("US-NDAA-889", "US-FCC-COVERED"):
        outcomes = _outcomes(data, pack)
        for ip, maker in expected.items():
            if maker in ("hikvision", "dahua"):
                assert outcomes[ip] == "violates", (pack, ip)
            elif maker in ("axis", "bosch", "hanwha", "uniview"):
                assert outcomes[ip] == "complies", (pack, ip)
            else:
                assert outcomes[ip] != "violates", (pack, ip)


def test_policy_from_scan_json(lab: Lab, scanned: dict[str, Any], tmp_path: Path) -> None:
    config = write_config(tmp_path / "camaudit.toml", lab)
    result = run("policy", "--from-json", str(scanned["json"]), "--config", str(config), "--json", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "camaudit.policy-report/1"
    assert {p["pack"]: p["binds"] for p in data["packs"]} == {"US-NDAA-889": True, "US-FCC-COVERED": True}
    _check_lab_outcomes(lab, data)
    # The device shape is pipeline.device_json's, plus "policy".
    assert set(data["devices"][0]) == {*device_json_keys(), "policy"}
    lorex = next(d for d in data["devices"] if d["brand"] == "lorex")
    ndaa = next(p for p in lorex["policy"] if p["pack"] == "US-NDAA-889")
    assert "sold as Lorex, made by Dahua" in ndaa["finding"] and "check with counsel" in ndaa["finding"]
    assert ndaa["report_clock"].startswith("detection time unknown")  # a bare scan JSON has no history


def device_json_keys() -> set[str]:
    from camaudit.model import Device

    return set(device_json(Device(ips=("127.0.0.1",))))


def test_policy_from_the_register_shows_the_far_clock(
    lab: Lab, scanned: dict[str, Any], tmp_path: Path
) -> None:
    config = write_config(tmp_path / "camaudit.toml", lab)
    result = run("policy", "--db", str(scanned["db"]), "--config", str(config), "--json", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    _check_lab_outcomes(lab, data)
    hik = next(d for d in data["devices"] if d["brand"] == "ezviz")
    ndaa = next(p for p in hik["policy"] if p["pack"] == "US-NDAA-889")
    assert ndaa["first_detected"] and ndaa["report_due"] > ndaa["first_detected"]
    assert ndaa["mitigation_due"] > ndaa["report_due"]


def test_policy_table_and_undeclared_sensitivity(lab: Lab, scanned: dict[str, Any], tmp_path: Path) -> None:
    config = write_config(tmp_path / "camaudit.toml", lab).read_text(encoding="utf-8")
    config = config.replace('["US"]', '["US", "UK"]').replace(
        "federal_contractor = true", "uk_central_government = true"
    )
    path = tmp_path / "uk.toml"
    path.write_text(
        config.replace(
            'enabled = ["US-NDAA-889", "US-FCC-COVERED"]', 'enabled = ["UK-CO-SENSITIVE-SITES-2022"]'
        )
    )
    result = run("policy", "--from-json", str(scanned["json"]), "--config", str(path))
    assert result.exit_code == 0, result.output
    assert "undetermined" in result.stdout and "sensitivity of site Lab" in result.stdout


def test_bad_config_and_unknown_pack_are_one_line_errors(scanned: dict[str, Any], tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[organisation]\njurisdictions = ['Atlantis']\n", encoding="utf-8")
    result = run("policy", "--from-json", str(scanned["json"]), "--config", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:2: organisation.jurisdictions: unknown name 'Atlantis'" in result.stderr
    result = run("policy", "--from-json", str(scanned["json"]), "--pack", "US-NOPE")
    assert result.exit_code == 2 and "unknown pack 'US-NOPE'" in result.stderr
    junk = tmp_path / "junk.json"
    junk.write_text("{not json", encoding="utf-8")
    result = run("policy", "--from-json", str(junk), "--pack", "US-LA")
    assert result.exit_code == 2 and "not a camaudit scan JSON" in result.stderr
