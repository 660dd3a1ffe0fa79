"""Hostile-lab soak (issue 13): every hostile profile, normal devices beside them, audited again and
again into one register. Every audit ends within its budget, the normal devices are named every time,
the scanner's memory stays flat, nothing state-changing reaches a device, the register stays valid.

`make soak` runs it with SOAK_RUNS=50 (default here 50 too); the figures are printed and, with
SOAK_REPORT=FILE, written there as JSON.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sqlite3
import statistics
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from tests.soak.conftest import ServedLab, rss_kib, serve_lab

from camaudit.assess.framework import AssessOptions
from camaudit.lab.profile import load_profiles
from camaudit.net.limits import Limits
from camaudit.pipeline.scan import run_scan
from camaudit.scope import Scope
from camaudit.store import Register

RUNS = int(os.environ.get("SOAK_RUNS", "50"))
BUDGET = 30.0  # seconds one audit of this lab may take at the default limits (measured: 4-6 s)
RSS_GROWTH_MAX = 16 * 1024  # KiB the scanner may grow from the first fifth of the runs to the last
NORMAL = ["axis-camera", "dahua-ipc", "hanwha-camera", "hikvision-ipc", "lts-ipc", "amcrest-ipc"]


def hostile_profiles() -> list[str]:
    """Every hostile profile, opt-in ones included, and the liar."""
    return [p.id for p in load_profiles(every=True) if p.id.startswith("hostile-") or p.id == "liar"]


def _integrity(db: Path) -> str:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _growth(samples: list[int], fifth: int) -> tuple[int, int]:
    """Peak of the second fifth (after warm-up) and of the last fifth."""
    return max(samples[fifth : 2 * fifth] or samples[:1]), max(samples[-fifth:])


def _rss_figures(samples: list[int], early: int, late: int) -> dict[str, int]:
    return {"first": samples[0], "early_max": early, "late_max": late, "last": samples[-1]}


def _one_audit(lab: ServedLab, db: Path) -> tuple[float, dict[str, Any]]:
    scope = Scope.parse(sorted(lab.addresses.values()))
    start = time.monotonic()
    with Register(db) as register:
        result = asyncio.run(run_scan(scope, Limits(), register=register, assessment=AssessOptions()))
    elapsed = time.monotonic() - start
    by_ip = {ip: d for d in result.devices for ip in d.ips}
    named = {}
    for entry in lab.manifest:
        device = by_ip.get(entry["address"])
        named[entry["profile"]] = (device.manufacturer, device.brand) if device else None
    return elapsed, named


def test_hostile_lab_soak(tmp_path: Path, served: list[ServedLab]) -> None:
    hostile = hostile_profiles()
    assert {"hostile-chameleon", "hostile-endless", "hostile-reset"} <= set(hostile)
    lab = serve_lab(NORMAL + hostile, tmp_path)
    served.append(lab)
    expected = {e["profile"]: (e["expected"]["manufacturer"], e["expected"]["brand"]) for e in lab.manifest}
    db = tmp_path / "soak.sqlite"
    times: list[float] = []
    rss: list[int] = []
    misses: list[tuple[int, str, Any]] = []
    hostile_names: dict[str, set[Any]] = {p: set() for p in hostile}
    integrity: list[str] = []
    lab_rss: list[int] = []  # the lab too: a hostile device's 10 MB body once swung it 50 -> 340 MB
    for run in range(RUNS):
        elapsed, named = _one_audit(lab, db)
        times.append(elapsed)
        for profile in NORMAL:
            if named[profile] != expected[profile]:
                misses.append((run, profile, named[profile]))
        for profile in hostile:
            hostile_names[profile].add(named[profile])
        gc.collect()
        rss.append(rss_kib())
        lab_rss.append(rss_kib(lab.process.pid))
        if run % 10 == 9 or run == RUNS - 1:
            integrity.append(_integrity(db))
    state_changing = [r for r in lab.requests() if r.get("state_changing")]

    fifth = max(1, RUNS // 5)
    early, late = _growth(rss, fifth)
    lab_early, lab_late = _growth(lab_rss, fifth)
    figures = {
        "runs": RUNS,
        "devices": len(lab.manifest),
        "normal": NORMAL,
        "hostile": hostile,
        "seconds": {
            "min": min(times),
            "median": statistics.median(times),
            "max": max(times),
            "budget": BUDGET,
        },
        "scanner_rss_kib": _rss_figures(rss, early, late),
        "lab_rss_kib": _rss_figures(lab_rss, lab_early, lab_late),
        "normal_misses": misses,
        "hostile_named_as": {p: sorted(map(str, v)) for p, v in hostile_names.items()},
        "integrity_checks": integrity,
        "lab_requests": len(lab.requests()),
        "state_changing_requests": len(state_changing),
    }
    print("\nsoak:", json.dumps(figures, indent=1))
    if report := os.environ.get("SOAK_REPORT"):
        Path(report).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")

    assert max(times) <= BUDGET, f"an audit took {max(times):.1f} s (budget {BUDGET} s)"
    assert misses == [], "a normal device was not named as it should be"
    assert late - early <= RSS_GROWTH_MAX, f"scanner RSS grew {late - early} KiB over the runs"
    assert lab_late - lab_early <= RSS_GROWTH_MAX, f"lab RSS grew {lab_late - lab_early} KiB over the runs"
    assert set(integrity) == {"ok"}
    assert state_changing == []
