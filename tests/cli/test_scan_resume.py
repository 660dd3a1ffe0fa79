"""kill -9 in the middle of a recorded scan loses no finished host, and `scan --resume` finishes the audit
with exactly what a full scan finds, probing only the hosts the killed run had not recorded."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from camaudit.cli import _register, cli
from camaudit.lab.runner import Lab
from camaudit.store import Reader

KILL_AFTER = 4  # hosts recorded before the kill


def _hosts_recorded(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            return int(conn.execute("SELECT count(*) FROM hosts").fetchone()[0])
    except sqlite3.OperationalError:  # the writer is still creating the tables
        return 0


def _kill_midway(targets: Path, db: Path) -> None:
    # One host at a time, slowly, so the kill lands while the audit runs.
    argv = [
        sys.executable,
        "-m",
        "camaudit",
        "scan",
        "-iL",
        str(targets),
        "--db",
        str(db),
        "--no-verify",
        "--concurrency",
        "1",
        "--per-host",
        "1",
        "--rate",
        "40",
        "--timeout",
        "1",
    ]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while _hosts_recorded(db) < KILL_AFTER and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(10)
    assert process.returncode == -signal.SIGKILL


def _run(args: list[str]) -> str:
    _register()
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _summary(db: Path, audit_id: str | None = None) -> set[tuple[Any, ...]]:
    with Reader(db) as reader:
        records = reader.devices(reader.audit(audit_id).id)
    return {
        (
            d.ip,
            d.brand,
            d.manufacturer,
            d.model,
            d.firmware,
            d.device_type,
            d.ports,
            tuple(sorted(f.check_id for f in d.findings)),
        )
        for d in (r.device for r in records)
    }


def test_kill_9_then_resume_equals_a_full_scan(lab: Lab, tmp_path: Path) -> None:
    by_address = {e["address"]: e["profile"] for e in lab.manifest()}
    targets = tmp_path / "targets.txt"
    targets.write_text("\n".join(by_address) + "\n")
    db = tmp_path / "killed.sqlite"
    _kill_midway(targets, db)

    with Reader(db) as reader:
        [killed] = reader.audits()
        done = reader.recorded_hosts(killed.id)
        kept_devices = {r.device.ip for r in reader.devices(killed.id)}
    assert not killed.complete
    assert KILL_AFTER <= len(done) < len(by_address)
    assert kept_devices <= done and kept_devices  # finished hosts kept their devices

    killed_at = time.time()
    _run(["scan", "--resume", killed.id[:10], "--db", str(db), "--rate", "2000", "--timeout", "1.5"])
    after = [r for r in lab.requests if r.time >= killed_at]
    assert {r.device for r in after}.isdisjoint({by_address[ip] for ip in done}), "resume re-probed a host"

    with Reader(db) as reader:
        [resumed] = reader.audits()
        assert (resumed.id, resumed.complete, resumed.hosts_done) == (killed.id, True, len(by_address))

    full = tmp_path / "full.sqlite"
    _run(
        ["scan", "-iL", str(targets), "--db", str(full), "--no-verify", "--rate", "2000", "--timeout", "1.5"]
    )
    assert _summary(db) == _summary(full)
    assert len(_summary(full)) == len(by_address)


def test_resume_refuses_a_finished_audit(lab: Lab, tmp_path: Path) -> None:
    address = lab.manifest()[0]["address"]
    db = tmp_path / "r.sqlite"
    _run(["scan", address, "--db", str(db), "--no-verify", "--rate", "2000"])
    with Reader(db) as reader:
        audit_id = reader.audit().id
    _register()
    result = CliRunner().invoke(cli, ["scan", "--resume", audit_id, "--db", str(db)])
    assert result.exit_code == 2
    assert "already finished" in result.stderr


def test_ctrl_c_stops_cleanly_writes_what_is_done_and_prints_the_resume_command(
    lab: Lab, tmp_path: Path
) -> None:
    by_address = {e["address"]: e["profile"] for e in lab.manifest()}
    targets = tmp_path / "targets.txt"
    targets.write_text("\n".join(by_address) + "\n")
    db, out = tmp_path / "interrupted.sqlite", tmp_path / "partial.json"
    argv = [sys.executable, "-m", "camaudit", "scan", "-iL", str(targets), "--db", str(db), "--json",
            str(out), "--no-verify", "--concurrency", "1", "--per-host", "1", "--rate", "40",
            "--timeout", "1"]  # fmt: skip
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while _hosts_recorded(db) < KILL_AFTER and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "Aborted!" not in stderr

    with Reader(db) as reader:
        [audit] = reader.audits()
        done = reader.recorded_hosts(audit.id)
    assert not audit.complete and KILL_AFTER <= len(done) < len(by_address)
    doc = json.loads(out.read_text())  # the JSON is written for what is done
    assert doc["complete"] is False and doc["hosts_done"] == len(done)
    assert {d["ip"] for d in doc["devices"]} <= done
    command = f"camaudit scan --resume {audit.id} --db {db}"
    assert command in stderr and audit.id in stderr
    assert "partial" in stderr
    assert all(d["ip"] in stdout for d in doc["devices"])  # the table of the finished hosts is on stdout

    # the register's commands show the stopped audit, marked partial, with the command that finishes it
    _register()
    shown = CliRunner().invoke(cli, ["devices", "--db", str(db)])
    assert shown.exit_code == 0 and "(PARTIAL)" in shown.stdout and command in shown.stderr
    assert all(d["ip"] in shown.stdout for d in doc["devices"])
    found = CliRunner().invoke(cli, ["findings", "--db", str(db)])
    assert found.exit_code == 0 and "(PARTIAL)" in found.stdout
    report = tmp_path / "partial-report.json"
    made = CliRunner().invoke(cli, ["report", "--db", str(db), "-f", "json", "-o", str(report)])
    assert made.exit_code == 0 and "(PARTIAL)" in made.stdout
    assert json.loads(report.read_text())["audit"]["complete"] is False

    _run([*command.split()[1:], "--rate", "2000", "--timeout", "1.5"])
    with Reader(db) as reader:
        [finished] = reader.audits()
    assert finished.complete and finished.hosts_done == len(by_address)
