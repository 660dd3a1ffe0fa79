"""Shards: byte ranges own the lines that start in them (none lost, none twice); partials are idempotent."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path
from typing import Any

import pytest

from camaudit.census.classify import Classifier
from camaudit.census.shard import Shard, count, counted, plan, read_partial


def test_plan_splits_plain_line_files_only(generated: tuple[Path, Any], tmp_path: Path) -> None:
    path, _ = generated
    shards = plan([str(path)], 100_000)
    assert len(shards) > 10 and shards[0].start == 0 and shards[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in itertools.pairwise(shards))
    packed = tmp_path / "x.json.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    assert plan([str(packed)], 100_000) == [Shard(str(packed))]  # gzip cannot be entered mid-stream


@pytest.mark.parametrize("size", [997, 50_000, 333_333])
def test_ranges_cover_every_line_once(generated: tuple[Path, Any], size: int) -> None:
    path, truth = generated
    classifier = Classifier(30)
    seen: list[tuple[str, int, str]] = []
    problems = 0
    for shard in plan([str(path)], size):
        for item in counted(shard, classifier):
            if hasattr(item, "ip"):
                seen.append((item.ip, item.window, item.dims[4]))
            else:
                problems += 1
                assert item.where.startswith("from byte ")
    assert len(seen) == truth.records and problems == truth.corrupt


def test_count_is_idempotent(generated: tuple[Path, Any], tmp_path: Path) -> None:
    path, _truth = generated
    shard = plan([str(path)], 300_000)[1]
    first = count(shard, str(tmp_path))
    second = count(shard, str(tmp_path))
    assert first.path == second.path and [p.name for p in tmp_path.iterdir()] == [Path(first.path).name]
    back = read_partial(first.path)
    assert (back.records, back.skipped, back.shard) == (first.records, first.skipped, str(shard))
