"""`camaudit census` speed and memory on generated Shodan files, beside the floor and a real peer.

For each size (default 1M and 5M records) a Shodan download file is generated from real banners
(tests/census/shodan_records.py), then, in the same run:
- `camaudit census FILE --by country,org,manufacturer,model,firmware,kev` on a process pool: wall time,
  CPU time of the whole process tree, records/s per core (records / CPU seconds), peak memory (the sum
  of the tree's proportional set sizes, sampled every 0.1 s);
- the raw parse rate of the same file with orjson (one core, nothing else done): the floor any Python
  reader meets, printed as the census's share of it;
- `shodan parse --fields ip_str,port,org FILE` from the Shodan CLI (pip package `shodan`, installed for
  this bench only), what researchers run on these files today.

    .venv/bin/python bench/census.py [--sizes 1000000,5000000] [--dir /tmp]

Targets (issue 14): ≥ 50,000 records/s per core; peak memory flat within 20% from 1M to 5M, < 500 MB.
Network: none. The generated addresses are never contacted.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import ModuleType

import orjson
import psutil

ROOT = Path(__file__).resolve().parents[1]
BY = "country,org,manufacturer,model,firmware,kev"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "shodan_records", ROOT / "tests" / "census" / "shodan_records.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["shodan_records"] = module
    spec.loader.exec_module(module)
    return module


class Peak:
    """Sum of the proportional set size (PSS) of a process and its descendants, sampled until it ends."""

    def __init__(self, pid: int) -> None:
        self.peak, self._root = 0, psutil.Process(pid)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                procs = [self._root, *self._root.children(recursive=True)]
                total = 0
                for proc in procs:
                    with contextlib.suppress(psutil.Error):  # PSS: pages shared after fork counted once
                        total += proc.memory_full_info().pss
                self.peak = max(self.peak, total)
                if self._root.status() == psutil.STATUS_ZOMBIE:
                    return
            except psutil.Error:
                return
            time.sleep(0.1)

    def join(self) -> None:
        self._thread.join(timeout=2)


def timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, str]:
    """(wall s, CPU s of the process tree, peak tree RSS bytes, stderr tail) of one command."""
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = Peak(proc.pid)
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    peak.join()
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    if proc.returncode != 0:
        raise SystemExit(f"{args[0]} failed: {err.decode(errors='replace')[-2000:]}")
    return wall, cpu, peak.peak, err.decode(errors="replace")[-300:]


def orjson_rate(path: Path) -> tuple[float, int]:
    """Records/s of orjson.loads over every line (one core), and the count."""
    count = 0
    start = time.process_time()
    with open(path, "rb") as stream:
        for line in stream:
            orjson.loads(line)
            count += 1
    return count / (time.process_time() - start), count


def bench(path: Path, records: int, workers: int) -> dict[str, float]:
    camaudit = [sys.executable, "-m", "camaudit", "census", str(path), "--by", BY, "--workers", str(workers)]
    wall, cpu, peak, _ = timed(camaudit)
    floor, _ = orjson_rate(path)
    shodan = shutil.which("shodan", path=str(Path(sys.executable).parent))
    env = {**os.environ, "HOME": tempfile.mkdtemp(prefix="shodan-home-")}  # no key is read or needed
    peer = timed([shodan, "parse", "--fields", "ip_str,port,org", str(path)], env) if shodan else None
    per_core = records / cpu
    out = {"wall": wall, "cpu": cpu, "per_core": per_core, "peak_mb": peak / 2**20, "orjson": floor}
    print(f"\n{records:,} records ({path.stat().st_size / 2**30:.2f} GiB), {workers} worker(s):")
    print(
        f"  camaudit census  wall {wall:7.1f} s  cpu {cpu:7.1f} s  {records / wall:9,.0f} rec/s wall  "
        f"{per_core:9,.0f} rec/s/core  peak {peak / 2**20:6.0f} MB"
    )
    print(f"  orjson parse     {floor:9,.0f} rec/s/core (floor)   census/orjson = {per_core / floor:.2f}")
    if peer is not None:
        pwall, pcpu, ppeak, _ = peer
        out["shodan_per_core"] = records / pcpu
        print(
            f"  shodan parse     wall {pwall:7.1f} s  cpu {pcpu:7.1f} s  {records / pwall:9,.0f} rec/s wall  "
            f"{records / pcpu:9,.0f} rec/s/core  peak {ppeak / 2**20:6.0f} MB   "
            f"census/shodan-parse per core = {per_core / (records / pcpu):.2f}"
        )
    else:
        print("  shodan parse     not installed (pip install shodan into the venv to compare)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,5000000")
    parser.add_argument("--dir", default=tempfile.gettempdir())
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    gen = _generator()
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        path = Path(args.dir) / f"camaudit-census-bench-{size}.json"
        if not path.exists():
            start = time.perf_counter()
            gen.write(path, size, seed=size)
            print(f"generated {path} in {time.perf_counter() - start:.0f} s")
        try:
            results[size] = bench(path, size, args.workers)
        finally:
            if not args.keep:
                path.unlink()
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]
        growth = large["peak_mb"] / small["peak_mb"] - 1
        print(
            f"\npeak memory {sizes[0]:,} -> {sizes[-1]:,}: "
            f"{small['peak_mb']:.0f} -> {large['peak_mb']:.0f} MB "
            f"({growth:+.0%}; target within 20%, < 500 MB)"
        )
    best = min(r["per_core"] for r in results.values())
    print(f"slowest rate per core: {best:,.0f} records/s (target >= 50,000)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
