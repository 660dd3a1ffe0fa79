"""`run_census` reproduces the generator's known counts exactly, however the files are cut and combined."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.census.conftest import by_key

from camaudit import census
from camaudit.census import run_census


def _check(result: Any, truth: Any) -> None:
    assert by_key(result.table.rows) == truth.rows()
    totals = result.table.totals
    assert (totals["banners"], totals["addresses"], totals["devices"]) == truth.totals()
    assert result.records == truth.records
    assert result.skipped == truth.corrupt


def test_known_counts_whole_file(generated: tuple[Path, Any]) -> None:
    path, truth = generated
    result = run_census([str(path)], ("country", "manufacturer"), workers=1)
    _check(result, truth)
    assert truth.totals()[2] < truth.totals()[1]  # churn: some devices at two addresses
    assert len(result.problems) == truth.corrupt and "line" in result.problems[0]


def test_known_counts_in_byte_ranges_on_a_pool(generated: tuple[Path, Any]) -> None:
    path, truth = generated
    result = run_census([str(path)], ("country", "manufacturer"), workers=2, shard_bytes=200_000)
    assert result.shards > 5
    _check(result, truth)


def test_gzip_and_partials_combined_across_runs(generated_gz: tuple[Path, Any], tmp_path: Path) -> None:
    path, truth = generated_gz
    first = run_census([str(path)], ("country",), workers=1, partials_dir=str(tmp_path / "p"))
    partials = sorted(str(p) for p in (tmp_path / "p").glob("*.parquet"))
    assert len(partials) == 1
    again = run_census([], ("country", "manufacturer"), from_partials=partials)
    _check(again, truth)
    assert first.table.totals == again.table.totals


def test_a_killed_runs_scratch_is_swept_and_a_live_ones_kept(tmp_path: Path) -> None:
    # A process that makes its scratch folder as run_census does, then is killed with SIGKILL.
    make = (
        "import os, sys, tempfile, time; d = tempfile.mkdtemp(prefix=f'camaudit-census-{os.getpid()}-',"
        " dir=sys.argv[1]); open(os.path.join(d, 'spill.tmp'), 'w').write('x'); print(d, flush=True);"
        " time.sleep(60)"
    )
    with (
        subprocess.Popen(
            [sys.executable, "-c", make, str(tmp_path)], stdout=subprocess.PIPE, text=True
        ) as dead,
        subprocess.Popen(
            [sys.executable, "-c", make, str(tmp_path)], stdout=subprocess.PIPE, text=True
        ) as live,
    ):
        try:
            assert dead.stdout is not None and live.stdout is not None
            dead_dir, live_dir = dead.stdout.readline().strip(), live.stdout.readline().strip()
            dead.send_signal(signal.SIGKILL)
            dead.wait(timeout=10)
            (tmp_path / "camaudit-census-notapid").mkdir()  # not ours by name: never touched
            assert census.sweep_stale_scratch(str(tmp_path)) == [dead_dir]
            assert not Path(dead_dir).exists() and Path(live_dir).is_dir()
            assert (tmp_path / "camaudit-census-notapid").is_dir()
        finally:
            live.kill()
