"""kill -9 at random points of `camaudit import` (issue 13), opt-in with `make soak`: KILL_RUNS_IMPORT
kills (10 by default) of the import of a generated nmap -oX file of KILL_IMPORT_HOSTS hosts (2,000).

The file is made from the two real nmap samples of tests/data/imports (each host copied with its own
address and MAC, a different window of its ports kept), so the devices are those real replies make.
An import reads the whole file first (nothing written), then records the hosts batch by batch, each
batch one transaction. A delay from the start lands mostly in the reading; every other run waits for the
audit row to appear and kills at a random point of the recording, where the batches commit.

After every kill: `PRAGMA integrity_check` is ok, every host seen committed before the kill is still
there, `camaudit import --resume` (or a fresh import, when the kill came before the audit was
recorded) ends with exactly the devices of an uninterrupted import, and the audits finished earlier in
the same register are unchanged. tests/sources/imports/test_kill_import.py runs the same with 2 kills in
`make test`. SOAK_SEED fixes the kill points; the figures are printed (and, with SOAK_KILL_REPORT=FILE,
written beside FILE as FILE's stem + .import.json).
"""

from __future__ import annotations

import copy
import json
import os
import random
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as DET
from tests.soak.test_kill import (
    _audit_rows,
    _audits,
    _camaudit,
    _committed_hosts,
    _devices,
    _integrity,
    _kill_at,
)

RUNS_IMPORT = int(os.environ.get("KILL_RUNS_IMPORT", "10"))
HOSTS = int(os.environ.get("KILL_IMPORT_HOSTS", "2000"))
SEED = int(os.environ.get("SOAK_SEED", str(random.SystemRandom().randrange(1 << 30))))
DATA = Path(__file__).resolve().parents[1] / "data" / "imports"
PORTS_PER_HOST = 5


def nmap_estate(path: Path, hosts: int) -> Path:
    """An nmap -oX file of `hosts` hosts copied from the real samples, each with its own address and
    MAC and a different window of the sample's ports."""
    samples = ("nmap_dionaea.xml", "nmap_banner_scripts.xml")
    templates = [h for name in samples for h in DET.parse(DATA / name).getroot().findall("host")]
    with path.open("wb") as out:
        out.write(b'<?xml version="1.0"?>\n<nmaprun scanner="nmap" args="nmap -sV -sC" start="1700000000">\n')
        for i in range(hosts):
            host = copy.deepcopy(templates[i % len(templates)])
            for address in host.findall("address"):
                if address.get("addrtype") == "ipv4":
                    address.set("addr", f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}")
                elif address.get("addrtype") == "mac":
                    address.set("addr", f"02:00:00:{(i >> 16) & 255:02X}:{(i >> 8) & 255:02X}:{i & 255:02X}")
            ports = host.find("ports")
            if ports is not None:
                every = ports.findall("port")
                kept = {id(p) for p in (every * 2)[i % len(every) :][:PORTS_PER_HOST]}
                for port in every:
                    if id(port) not in kept:
                        ports.remove(port)
            out.write(ET.tostring(host) + b"\n")
        out.write(b"</nmaprun>\n")
    return path


def _phases(args: list[str], db: Path) -> tuple[float, float]:
    """An uninterrupted run: (seconds until its audit row appeared, seconds in all)."""
    errors = db.with_suffix(".stderr")
    start = time.monotonic()
    with errors.open("wb") as err:
        process = subprocess.Popen([sys.executable, "-m", "camaudit", *args], stdout=subprocess.DEVNULL,
                                   stderr=err)  # fmt: skip
        begun = None
        while process.poll() is None:
            if begun is None and _audit_rows(db):
                begun = time.monotonic() - start
            time.sleep(0.01)
    full = time.monotonic() - start
    assert process.returncode == 0, errors.read_text(errors="replace")[-3000:]
    return (begun if begun is not None else full), full


def kill_import_runs(tmp_path: Path, runs: int, hosts: int, seed: int) -> dict[str, Any]:
    """`runs` kills of one import, each followed by its resume; the figures of each."""
    rng = random.Random(seed)
    estate = nmap_estate(tmp_path / "estate.xml", hosts)
    reference_db = tmp_path / "reference.sqlite"
    begun, full = _phases(["import", str(estate), "--db", str(reference_db)], reference_db)
    [(reference_id, _)] = _audits(reference_db)
    reference = _devices(reference_db, reference_id)
    assert len(reference) == hosts

    db = tmp_path / "killed.sqlite"
    args = ["import", str(estate), "--db", str(db)]
    finished: dict[str, set[tuple[Any, ...]]] = {}
    outcomes = []
    for run in range(runs):
        if run % 2 == 0:  # anywhere: mostly while the file is read, before anything is written
            moment, delay = "anywhere", rng.uniform(0.3, 0.98 * full)
            status, committed = _kill_at(args, delay, watch=db)
        else:  # while the hosts are recorded, batch by batch
            rows = _audit_rows(db)
            moment, delay = "hosts being recorded", rng.uniform(0, 0.95 * (full - begun))
            status, committed = _kill_at(args, delay, watch=db, after=lambda r=rows: _audit_rows(db) > r)
        if db.exists():
            assert _integrity(db) == "ok", f"run {run}: the register is damaged"
        after_kill = _committed_hosts(db)
        assert committed <= after_kill, f"run {run}: a host the register had committed was lost"
        new = [(a, done) for a, done in _audits(db) if a not in finished]
        if not new:
            outcome = "killed before the audit was recorded: imported afresh"
            _camaudit(args)
            [audit_id] = [a for a, _ in _audits(db) if a not in finished]
        else:
            [(audit_id, complete)] = new
            recorded = sum(1 for key in after_kill if key.startswith(f"{audit_id}/"))
            if complete:
                outcome = "finished before the kill"
            else:
                outcome = f"resumed after {recorded} of {hosts} hosts recorded"
                _camaudit(["import", "--resume", audit_id, "--db", str(db)])
        assert (audit_id, True) in _audits(db), f"run {run}: {outcome}: the audit is not finished"
        assert _devices(db, audit_id) == reference, f"run {run}: {outcome}: not the uninterrupted devices"
        for earlier, devices in finished.items():
            assert _devices(db, earlier) == devices, f"run {run}: audit {earlier} changed"
        finished[audit_id] = reference
        assert _integrity(db) == "ok"
        outcomes.append(
            {"moment": moment, "kill_after_s": round(delay, 2), "exit": status, "outcome": outcome}
        )
    return {
        "seed": seed,
        "hosts": hosts,
        "file_bytes": estate.stat().st_size,
        "full_run_s": round(full, 1),
        "recording_from_s": round(begun, 1),
        "runs": outcomes,
    }


def test_kill_9_import_then_resume(tmp_path: Path) -> None:
    figures = kill_import_runs(tmp_path, RUNS_IMPORT, HOSTS, SEED)
    print("\nkill -9 import:", json.dumps(figures, indent=1))
    if path := os.environ.get("SOAK_KILL_REPORT"):  # test_kill.py writes that file: these go beside it
        Path(path).with_suffix(".import.json").write_text(
            json.dumps(figures, indent=1) + "\n", encoding="utf-8"
        )
