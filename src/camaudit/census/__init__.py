"""Census: counts over internet-scan exports (Shodan, Censys, zgrab2, masscan …) that anyone can repeat.

    from camaudit.census import run_census
    result = run_census(["shodan-gb.json.gz"], by=("country", "manufacturer"))
    result.table.rows     # [{"country": "GB", "manufacturer": "hikvision", "banners": …, "addresses": …,
                          #   "devices": …}, …]

Files are cut into shards (`shard.plan`); each shard is read by the import readers, identified by the
audit's rules and reduced to partial counts in a Parquet file (`shard.count`) on a process pool or a
Dask cluster (`engines`); DuckDB rolls the partials up (`rollup`). Partials can be kept and combined
with those of other runs (`from_partials`). The engine never prints: `progress` hears each shard.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from camaudit.census import engines
from camaudit.census.method import method_text
from camaudit.census.rollup import Table, rollup
from camaudit.census.shard import Partial, plan, read_partial

__all__ = ["CensusResult", "run_census"]

_SCRATCH = re.compile(r"^camaudit-census-(\d+)-")  # the scratch folder names its owner process


@dataclass(slots=True)
class CensusResult:
    """The roll-up, what was read, and how (the method written out for a reader to repeat it)."""

    table: Table
    inputs: tuple[str, ...]
    records: int = 0
    skipped: int = 0
    cut: bool = False
    problems: list[str] = field(default_factory=list)
    shards: int = 0
    method: str = ""
    window_days: int = 30
    views: dict[str, Table] = field(default_factory=dict)


def run_census(
    paths: Sequence[str],
    by: Sequence[str],
    *,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    window_days: int = 30,
    partials_dir: str | None = None,
    from_partials: Sequence[str] = (),
    query: str = "",
    shard_bytes: int | None = None,
    progress: Callable[[Partial], None] | None = None,
    on_plan: Callable[[int], None] | None = None,
    views: Sequence[str] = (),
) -> CensusResult:
    """Count `paths` (and earlier partial files `from_partials`) by the dimensions `by`; each of
    `views` (one dimension each, for the HTML report's charts) is rolled up too."""
    sweep_stale_scratch()
    with tempfile.TemporaryDirectory(prefix=f"camaudit-census-{os.getpid()}-") as scratch:
        out_dir = partials_dir or scratch
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        shards = plan(list(paths), shard_bytes) if shard_bytes else plan(list(paths))
        if on_plan is not None:
            on_plan(len(shards))
        if engine == "dask":
            if not scheduler:
                raise ValueError("--engine dask needs --scheduler tcp://HOST:8786")
            partials = engines.run_dask(shards, out_dir, window_days, scheduler, progress)
        else:
            partials = engines.run_local(shards, out_dir, window_days, workers, progress)
        partials += [read_partial(p) for p in from_partials]
        files = [p.path for p in partials]
        table = rollup(files, by, temp_dir=scratch)
        extra = {name: rollup(files, (name,), temp_dir=scratch) for name in views}
    result = CensusResult(table, (*paths, *from_partials), shards=len(shards), window_days=window_days)
    result.views = extra
    for part in partials:
        result.records += part.records
        result.skipped += part.skipped
        result.cut = result.cut or part.cut
        result.problems.extend(part.problems)
    result.method = method_text(result.inputs, query, window_days, result.records, result.skipped)
    return result


def sweep_stale_scratch(parent: str | None = None) -> list[str]:
    """Remove the scratch folders of census runs that were killed (their process is gone): a kill -9
    leaves partials and DuckDB spill files behind, sometimes gigabytes. Only our own folders, by name
    and owner, are touched. Returns the folders removed."""
    base = Path(parent or tempfile.gettempdir())
    removed = []
    for entry in base.glob("camaudit-census-*"):
        found = _SCRATCH.match(entry.name)
        if found is None or not entry.is_dir() or entry.is_symlink() or entry.stat().st_uid != os.getuid():
            continue
        if _alive(int(found.group(1))):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(str(entry))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or a number no process can have: leave it
    return True
