"""kill -9 at random points (issue 13), opt-in with `make soak`: `scan`, `traffic` and `report` are each
killed at a random moment, many times (KILL_RUNS_SCAN / _TRAFFIC / _REPORT; 28 in all by default).
A random delay from the start cannot reliably land in the short moments that matter (the register being
written at the end of `traffic`, a file being written): some runs wait for that moment to begin (an
audit row appears, a staging folder appears) and kill at a random point just after it.

- scan: every run kills a new audit in the one register; what the register had committed when the kill
  landed is still there, `scan --resume` finishes the audit with exactly the devices of an uninterrupted
  run, the earlier audits are untouched, `PRAGMA integrity_check` says ok.
- traffic: the register stays valid, an audit the kill interrupted is never marked finished, a finished
  one holds what an uninterrupted run records, the --json file is whole or absent; a later run succeeds.
- report: the output file is whole (the same bytes as an uninterrupted run's) or absent, and the
  register, only read, is unchanged.

SOAK_SEED fixes the kill points; the figures are printed and, with SOAK_KILL_REPORT=FILE, written there.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from tests.soak.conftest import ServedLab, serve_lab
from tests.sources.passive.capture import estate, write_pcap

from camaudit.store import Reader

RUNS_SCAN = int(os.environ.get("KILL_RUNS_SCAN", "10"))
RUNS_TRAFFIC = int(os.environ.get("KILL_RUNS_TRAFFIC", "9"))
RUNS_REPORT = int(os.environ.get("KILL_RUNS_REPORT", "9"))
SEED = int(os.environ.get("SOAK_SEED", str(random.SystemRandom().randrange(1 << 30))))
PROFILES = ["amcrest-ipc", "axis-camera", "dahua-ipc", "ezviz-camera", "hanwha-camera", "hikvision-ipc",
            "hikvision-nvr", "lts-ipc", "plain-webserver", "uniview-camera"]  # fmt: skip
# Slow on purpose (one connection at a time) so that a random kill can land anywhere in the audit.
SLOW = ["--concurrency", "1", "--per-host", "1", "--rate", "40", "--timeout", "1"]
FAST = ["--rate", "2000", "--timeout", "1.5"]
FIGURES: dict[str, Any] = {"seed": SEED}


def _camaudit(args: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "camaudit", *args], capture_output=True, text=True,
                          timeout=600, check=False, **kwargs)  # fmt: skip
    assert done.returncode == 0, (args, done.stderr[-3000:])
    return done


def _kill_at(
    args: Sequence[str],
    delay: float,
    watch: Path | None = None,
    after: Callable[[], bool] | None = None,
) -> tuple[int | None, set[str]]:
    """Start camaudit, SIGKILL it `delay` seconds later (counted from when `after()` first holds, if
    given); poll `watch` (a register) for the hosts it has committed until the kill. Returns the exit
    status (None: killed) and the last hosts seen committed."""
    process = subprocess.Popen([sys.executable, "-m", "camaudit", *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    seen: set[str] = set()
    if after is not None:
        limit = time.monotonic() + 300
        while process.poll() is None and time.monotonic() < limit and not after():
            time.sleep(0.005)
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and process.poll() is None:
        if watch is not None:
            seen = _committed_hosts(watch) or seen
        time.sleep(0.02)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        return None, seen
    return process.returncode, seen


def _audit_rows(db: Path) -> int:
    """Audit rows committed so far (the first thing `traffic` writes to the register)."""
    if not db.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)) as conn:
            return int(conn.execute("SELECT count(*) FROM audits").fetchone()[0])
    except sqlite3.Error:
        return 0


def _staging(folder: Path, name: str) -> Callable[[], bool]:
    """True once the file's private staging folder (`.NAME.*.partial`, cli/render.write_files) exists."""
    return lambda: any(p.name.startswith(f".{name}.") for p in folder.iterdir())


def _committed_hosts(db: Path) -> set[str]:
    if not db.exists():
        return set()
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)) as conn:
            rows = conn.execute("SELECT audit_id, ip FROM hosts").fetchall()
    except sqlite3.Error:  # not created yet, or locked for the moment
        return set()
    return {f"{audit}/{ip}" for audit, ip in rows}


def _integrity(db: Path) -> str:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _devices(db: Path, audit_id: str) -> set[tuple[Any, ...]]:
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


def _audits(db: Path) -> list[tuple[str, bool]]:
    if not db.exists():
        return []
    with Reader(db) as reader:
        return [(a.id, a.complete) for a in reader.audits()]


def _kill_point(rng: random.Random, run: int, full: float) -> float:
    """Every other kill anywhere in the run; the others in its last quarter, where the results are
    committed and the files written (a run takes a second to start: the earliest point is 0.3 s)."""
    low = 0.3 if run % 2 else 0.75 * full
    return rng.uniform(low, max(low, 0.98 * full))


def _timed(args: Sequence[str]) -> float:
    start = time.monotonic()
    _camaudit(args)
    return time.monotonic() - start


def test_kill_9_scan_then_resume(tmp_path: Path, served: list[ServedLab]) -> None:
    rng = random.Random(SEED)
    lab = serve_lab(PROFILES, tmp_path)
    served.append(lab)
    targets = tmp_path / "targets.txt"
    targets.write_text("\n".join(lab.addresses.values()) + "\n")
    reference_db = tmp_path / "reference.sqlite"
    full = _timed(["scan", "-iL", str(targets), "--db", str(reference_db), *SLOW])
    [(reference_id, _)] = _audits(reference_db)
    reference = _devices(reference_db, reference_id)
    assert len(reference) == len(PROFILES)

    db = tmp_path / "killed.sqlite"
    finished: dict[str, set[tuple[Any, ...]]] = {}  # audits finished so far, and their devices
    outcomes = []
    for run in range(RUNS_SCAN):
        delay = _kill_point(rng, run, full)
        status, committed = _kill_at(["scan", "-iL", str(targets), "--db", str(db), *SLOW], delay, watch=db)
        assert _integrity(db) == "ok" if db.exists() else True
        new = [(a, done) for a, done in _audits(db) if a not in finished]
        after_kill = _committed_hosts(db)
        assert committed <= after_kill, "a host the register had committed was lost"
        if not new:
            outcome = "killed before the audit was recorded"
            _camaudit(["scan", "-iL", str(targets), "--db", str(db), *FAST])
            [(audit_id, _)] = [(a, d) for a, d in _audits(db) if a not in finished]
        else:
            [(audit_id, complete)] = new
            hosts = sum(1 for key in after_kill if key.startswith(f"{audit_id}/"))
            if complete:
                outcome = "finished before the kill"
            else:
                outcome = f"resumed after {hosts} of {len(PROFILES)} hosts"
                _camaudit(["scan", "--resume", audit_id, "--db", str(db), *FAST])
        assert (audit_id, True) in _audits(db)
        assert _devices(db, audit_id) == reference, f"run {run}: {outcome}"
        for earlier, devices in finished.items():  # nothing committed before is lost
            assert _devices(db, earlier) == devices
        finished[audit_id] = reference
        assert _integrity(db) == "ok"
        outcomes.append({"kill_after_s": round(delay, 2), "exit": status, "outcome": outcome})
    FIGURES["scan"] = {"full_run_s": round(full, 1), "runs": outcomes}
    _report()


def _big_capture(path: Path, copies: int) -> Path:
    frames = estate()
    span = frames[-1][0] - frames[0][0] + 1
    return write_pcap(path, [(ts + n * span, f) for n in range(copies) for ts, f in frames])


def _traffic_summary(doc: dict[str, Any]) -> Any:
    return sorted(json.dumps(d, sort_keys=True) for d in doc.get("devices", []))


def test_kill_9_traffic(tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    capture = _big_capture(tmp_path / "estate.pcap", 6000)
    reference_db, reference_json = tmp_path / "reference.sqlite", tmp_path / "reference.json"
    full = _timed(["traffic", str(capture), "--db", str(reference_db), "--json", str(reference_json)])
    [(reference_id, _)] = _audits(reference_db)
    reference = _devices(reference_db, reference_id)
    reference_doc = _traffic_summary(json.loads(reference_json.read_text()))

    db = tmp_path / "killed.sqlite"
    outcomes = []
    for run in range(RUNS_TRAFFIC):
        out = tmp_path / f"traffic-{run}.json"
        args = ["traffic", str(capture), "--db", str(db), "--json", str(out)]
        moment = ["anywhere", "register being written", "--json being written"][run % 3]
        if run % 3 == 0:
            delay = _kill_point(rng, run, full)
            status, _ = _kill_at(args, delay)
        elif run % 3 == 1:
            rows = _audit_rows(db)
            delay = rng.uniform(0, 0.15)
            status, _ = _kill_at(args, delay, after=lambda before=rows: _audit_rows(db) > before)
        else:
            delay = rng.uniform(0, 0.05)
            status, _ = _kill_at(args, delay, after=_staging(tmp_path, out.name))
        if db.exists():
            assert _integrity(db) == "ok"
        audits = _audits(db)
        for audit_id, complete in audits:
            if complete:
                assert _devices(db, audit_id) == reference
        if out.exists():
            assert _traffic_summary(json.loads(out.read_text())) == reference_doc, "a partial --json file"
        leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(f".{out.name}."))
        outcomes.append(
            {
                "moment": moment,
                "kill_after_s": round(delay, 3),
                "exit": status,
                "audits_finished": sum(1 for _, c in audits if c),
                "audits_unfinished": sum(1 for _, c in audits if not c),
                "json": "whole" if out.exists() else "absent",
                "partial_folders_left": len(leftovers),
            }
        )
    _camaudit(["traffic", str(capture), "--db", str(db)])  # the register still takes a full run
    assert _integrity(db) == "ok"
    last = [a for a, complete in _audits(db) if complete][-1]
    assert _devices(db, last) == reference
    FIGURES["traffic"] = {"full_run_s": round(full, 1), "frames": 6000 * len(estate()), "runs": outcomes}
    _report()


REPORT_CHECKS = {
    "html": lambda data: data.rstrip().endswith(b"</html>"),
    "pdf": lambda data: data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"),
    "json": lambda data: isinstance(json.loads(data), dict),
    "csv": lambda data: data.startswith(b"id,") or data.count(b"\n") >= 1,
}


def test_kill_9_report(tmp_path: Path, served: list[ServedLab]) -> None:
    rng = random.Random(SEED + 2)
    lab = serve_lab(PROFILES[:4], tmp_path)
    served.append(lab)
    db = tmp_path / "register.sqlite"
    _camaudit(["scan", *lab.addresses.values(), "--db", str(db), *FAST])
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    references, durations = {}, {}
    for name in REPORT_CHECKS:
        path = tmp_path / f"reference.{name}"
        durations[name] = _timed(["report", "--db", str(db), "-f", name, "-o", str(path)])
        references[name] = path.read_bytes()
    outcomes = []
    for run in range(RUNS_REPORT):
        name = ["pdf", "html", "csv", "json"][run % 4]
        out = tmp_path / f"killed-{run}.{name}"
        args = ["report", "--db", str(db), "-f", name, "-o", str(out)]
        if run % 2 == 0:
            moment, delay = "anywhere", _kill_point(rng, run, durations[name])
            status, _ = _kill_at(args, delay)
        else:  # while the file is being written, or just after it moved into place
            moment, delay = "file being written", rng.uniform(0, 0.08)
            status, _ = _kill_at(args, delay, after=_staging(tmp_path, out.name))
        state = "absent"
        if out.exists():
            data = out.read_bytes()
            assert REPORT_CHECKS[name](data), f"a partial {name} report claimed as complete"
            if name == "json":  # the same report, but for the second it was generated in
                assert _undated(data) == _undated(references[name])
            elif name != "pdf":  # a PDF carries its creation time
                assert data == references[name]
            if name == "csv":
                assert out.with_name(f"{out.stem}-findings.csv").exists()
            state = "whole"
        leftovers = len([p for p in tmp_path.iterdir() if p.name.startswith(f".{out.name}.")])
        outcomes.append({"format": name, "moment": moment, "kill_after_s": round(delay, 3), "exit": status,
                         "file": state, "partial_folders_left": leftovers})  # fmt: skip
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before, "a report changed the register"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(db.name + "-")], "-wal/-shm beside it"
    assert _integrity(db) == "ok"
    FIGURES["report"] = {"full_run_s": {k: round(v, 1) for k, v in durations.items()}, "runs": outcomes}
    _report()


def _undated(data: bytes) -> Any:
    doc = json.loads(data)
    doc.pop("generated", None)
    return doc


def _report() -> None:
    print("\nkill -9:", json.dumps(FIGURES, indent=1))
    if path := os.environ.get("SOAK_KILL_REPORT"):
        Path(path).write_text(json.dumps(FIGURES, indent=1) + "\n", encoding="utf-8")
