"""The Dask engine on a real LocalCluster (two worker processes on 127.0.0.1) counts exactly as the local
pool does, also when a worker is killed while it holds shards (Dask runs them again; none counts twice)."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
from tests.census.conftest import by_key

from camaudit.census import run_census
from camaudit.census.engines import dask_map
from camaudit.census.rollup import rollup
from camaudit.census.shard import Partial, plan

distributed = pytest.importorskip("distributed")
BY = ("country", "manufacturer")


@pytest.fixture
def cluster() -> Any:
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        worker_dashboard_address=None,
        silence_logs=50,
    ) as found:
        yield found


def test_dask_equals_local(generated: tuple[Path, Any], cluster: Any) -> None:
    path, truth = generated
    local = run_census([str(path)], BY, workers=2, shard_bytes=250_000)
    remote = run_census(
        [str(path)], BY, engine="dask", scheduler=cluster.scheduler_address, shard_bytes=250_000
    )
    assert remote.shards == local.shards > 4
    assert remote.table.rows == local.table.rows
    assert remote.table.totals == local.table.totals
    assert (
        (remote.records, remote.skipped) == (local.records, local.skipped) == (truth.records, truth.corrupt)
    )
    assert by_key(remote.table.rows) == truth.rows()


def test_worker_killed_mid_run(generated: tuple[Path, Any], cluster: Any, tmp_path: Path) -> None:
    path, truth = generated
    shards = plan([str(path)], 120_000)
    out = tmp_path / "partials"
    out.mkdir()
    done: list[Partial] = []
    killed = threading.Event()

    def heard(partial: Partial) -> None:
        done.append(partial)
        if not killed.is_set():  # after the first shard, while the others run: kill -9 a worker
            pids = client.run(os.getpid)
            victim = sorted(pids.values())[0]
            os.kill(victim, signal.SIGKILL)
            killed.set()

    with distributed.Client(cluster) as client:
        partials = dask_map(client, shards, str(out), 30, heard, distributed.as_completed)
    assert killed.is_set() and len(partials) == len(shards) > 10
    assert len({p.path for p in partials}) == len(shards)
    table = rollup([p.path for p in partials], BY)
    assert by_key(table.rows) == truth.rows()
    assert sum(p.records for p in partials) == truth.records
    assert sum(p.skipped for p in partials) == truth.corrupt
    local = run_census([str(path)], BY, workers=1)
    assert table.rows == local.table.rows and table.totals == local.table.totals
