"""`run_census` reproduces the generator's known counts exactly, however the files are cut and combined."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.census.conftest import by_key

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
