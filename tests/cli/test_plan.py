"""`camaudit plan` on the lab register: progress changes after annotating devices removed and re-auditing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from camaudit.cli import _register, cli
from camaudit.lab.runner import Lab
from camaudit.net.limits import Limits
from camaudit.pipeline.scan import run_scan
from camaudit.scope import Scope
from camaudit.store import Register

FAST = Limits(rate=2000, connect_timeout=1.5, read_timeout=1.5, udp_wait=1.0)


def run(*args: str) -> Result:
    _register()
    return CliRunner().invoke(cli, list(args))


def scan_into(db: Path, addresses: list[str]) -> None:
    with Register(db) as register:
        asyncio.run(run_scan(Scope.parse(addresses), FAST, register=register))


def config(tmp_path: Path, lab: Lab) -> Path:
    network = lab.manifest()[0]["address"].rsplit(".", 1)[0] + ".0/24"
    path = tmp_path / "camaudit.toml"
    path.write_text(
        f"""\
[organisation]
jurisdictions = ["AU"]
au_commonwealth = true
removal_deadline = 2024-06-30

[packs]
enabled = ["AU-DEFENCE-2023"]

[[sites]]
name = "Lab"
networks = ["{network}"]
""",
        encoding="utf-8",
    )
    return path


def plan(db: Path, cfg: Path, *extra: str) -> dict[str, Any]:
    result = run("plan", "--db", str(db), "--config", str(cfg), "--json", "-", *extra)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_progress_changes_after_annotating_removed_and_re_auditing(lab: Lab, tmp_path: Path) -> None:
    db, cfg = tmp_path / "register.sqlite", config(tmp_path, lab)
    manifest = lab.manifest()
    addresses = [e["address"] for e in manifest]
    covered = sorted(
        e["address"] for e in manifest if e["expected"]["manufacturer"] in ("hikvision", "dahua")
    )
    scan_into(db, addresses)

    first = plan(db, cfg)
    items = first["sites"]["Lab"]
    assert sorted(i["ip"] for i in items) == covered
    assert first["progress"] == {"covered": len(covered), "done": 0, "overdue": len(covered), "not_seen": 0}
    assert (
        first["summary"] == f"0 of {len(covered)} covered devices removed or replaced; {len(covered)} overdue"
    )
    assert all(i["due"] == "2024-06-30" and i["state"] == "overdue" for i in items)

    gone, kept_but_marked = covered[:2], covered[2]
    for ip in [*gone, kept_but_marked]:
        result = run("annotate", ip, "--db", str(db), "--status", "removed")
        assert result.exit_code == 0, result.output
    scan_into(db, [a for a in addresses if a not in gone])  # the removed cameras no longer answer

    second = plan(db, cfg)
    assert second["progress"] == {
        "covered": len(covered),
        "done": 2,
        "overdue": len(covered) - 2,
        "not_seen": 0,
    }
    assert second["summary"].startswith(f"2 of {len(covered)} covered devices removed")
    states = {i["ip"]: i["state"] for i in second["sites"]["Lab"]}
    assert all(states[ip] == "removed" for ip in gone)
    assert states[kept_but_marked] == "marked removed but still seen"
    assert [p["covered_present"] for p in second["history"]] == [len(covered), len(covered) - 2]


def test_site_filter_and_table(lab: Lab, tmp_path: Path) -> None:
    db, cfg = tmp_path / "register.sqlite", config(tmp_path, lab)
    hik = [e["address"] for e in lab.manifest() if e["profile"] in ("hikvision-ipc", "axis-camera")]
    scan_into(db, hik)
    assert plan(db, cfg, "--site", "Elsewhere")["sites"] == {}
    result = run("plan", "--db", str(db), "--config", str(cfg))
    assert result.exit_code == 0, result.output
    assert "Site Lab" in result.stdout and "AU-DEFENCE-2023" in result.stdout
    assert "0 of 1 covered devices removed or replaced; 1 overdue" in result.stderr


def test_plan_without_a_register_is_one_line(tmp_path: Path) -> None:
    result = run("plan", "--db", str(tmp_path / "empty.sqlite"), "--pack", "US-LA")
    assert result.exit_code == 2
    assert "no register at" in result.stderr
