"""Where shards are counted: a local process pool (default) or an existing Dask cluster.

Both run the same `camaudit.census.shard.count` on each shard and hand back one `Partial` per
shard, in shard order. Dask (`pip install camaudit[dask]`) is imported only when asked for; its
workers must see the input files and the partial directory at the same paths (a shared disk). When
a worker dies, Dask runs its shard again elsewhere; the shard's partial file has a fixed name and
is renamed into place whole, so a shard is never counted twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import partial as bind
from typing import Any

from camaudit.census.shard import Partial, Shard, count

Done = Callable[[Partial], None]
ENGINES = ("local", "dask")


def run_local(
    shards: Sequence[Shard], out_dir: str, window_days: int, workers: int | None, done: Done | None
) -> list[Partial]:
    """Shards over a pool of processes (one process per core unless `workers` says otherwise)."""
    work = bind(count, out_dir=out_dir, window_days=window_days)
    size = max(1, min(workers or os.cpu_count() or 1, len(shards)))
    if size == 1 or len(shards) == 1:  # no pool to start for one shard
        return [_heard(work(s), done) for s in shards]
    found: dict[int, Partial] = {}
    warm()  # workers forked after this share the loaded rules instead of each parsing them again
    with ProcessPoolExecutor(max_workers=size) as pool:
        futures = {pool.submit(work, s): i for i, s in enumerate(shards)}
        for future in as_completed(futures):
            found[futures[future]] = _heard(future.result(), done)
    return [found[i] for i in range(len(shards))]


def run_dask(
    shards: Sequence[Shard], out_dir: str, window_days: int, scheduler: str, done: Done | None
) -> list[Partial]:
    """Shards as futures on the Dask cluster at `scheduler` (``tcp://HOST:8786``)."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise RuntimeError("--engine dask needs Dask: pip install 'camaudit[dask]'") from None
    with Client(scheduler, set_as_default=False) as client:  # type: ignore[no-untyped-call]
        return dask_map(client, shards, out_dir, window_days, done, dask_completed)


def dask_map(
    client: Any, shards: Sequence[Shard], out_dir: str, window_days: int, done: Done | None, completed: Any
) -> list[Partial]:
    """`count` over `shards` on an open Dask client (a retried shard keeps its key and its file)."""
    futures = client.map(count, list(shards), out_dir=out_dir, window_days=window_days, retries=2)
    index = {f.key: i for i, f in enumerate(futures)}
    found: dict[int, Partial] = {}
    with client.as_current():  # as_completed looks its client up
        for future in completed(futures):
            found[index[future.key]] = _heard(future.result(), done)
    return [found[i] for i in range(len(shards))]


def warm() -> None:
    """Load the rules, the KEV list and the field index in this process (about 2 s of YAML)."""
    from camaudit.census.classify import _kev_cves, _rule_fields
    from camaudit.identify.rules import field_rules

    field_rules()
    _kev_cves()
    _rule_fields()


def _heard(partial: Partial, done: Done | None) -> Partial:
    if done is not None:
        done(partial)
    return partial
