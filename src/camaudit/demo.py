"""`make demo`: start the emulated lab on loopback, audit it, write a report, stop the lab.

Real cameras listen on 80/443/554, which only root may bind. An ordinary user gets a private user and
network namespace (`unshare --user --map-root-user --net`), where binding low ports on its own loopback is
allowed; where user namespaces are disabled, the lab falls back to high ports with a port map.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console

from camaudit.errors import LabError
from camaudit.lab.runner import Lab
from camaudit.pipeline import ScanResult, run_scan
from camaudit.report.html import write_html
from camaudit.scope import Scope
from camaudit.sources.scheduler import Limits

NETWORK = "127.42.0.0/24"
IN_NAMESPACE = "CAMAUDIT_DEMO_IN_NAMESPACE"
FALLBACK_PORT_OFFSET = 20000


def _reexec_in_namespace() -> int | None:
    """Re-run this module inside a private user+net namespace; None when that is impossible."""
    unshare = shutil.which("unshare")
    if not unshare:
        return None
    script = 'ip link set lo up 2>/dev/null || true; exec "$0" -m camaudit.demo "$@"'
    argv = [unshare, "--user", "--map-root-user", "--net", "sh", "-c", script, sys.executable, *sys.argv[1:]]
    probe = subprocess.run([unshare, "--user", "--map-root-user", "--net", "true"], capture_output=True)
    if probe.returncode != 0:
        return None
    return subprocess.run(argv, env={**os.environ, IN_NAMESPACE: "1"}).returncode


async def _audit(out_dir: Path, console: Console, port_offset: int) -> ScanResult:
    async with Lab(network=NETWORK, port_offset=port_offset) as lab:
        console.print(f"lab: {len(lab.profiles)} emulated devices on {NETWORK}")
        scope = Scope.parse([NETWORK])
        result = await run_scan(scope, Limits(connect_timeout=2.0, read_timeout=2.0))
        (out_dir / "lab-manifest.json").write_text(json.dumps(lab.manifest(), indent=2), encoding="utf-8")
        state_changing = [r for r in lab.requests if r.state_changing]
        console.print(f"lab request log: {len(lab.requests)} requests, {len(state_changing)} state-changing")
    return result


def main() -> int:
    if os.geteuid() != 0 and not os.environ.get(IN_NAMESPACE):
        code = _reexec_in_namespace()
        if code is not None:
            return code
    console = Console(width=None if sys.stdout.isatty() else 160)
    out_dir = Path.cwd()
    started = time.monotonic()
    offset = 0 if os.geteuid() == 0 else FALLBACK_PORT_OFFSET
    try:
        result = asyncio.run(_audit(out_dir, console, offset))
    except LabError as exc:
        console.print(f"camaudit demo: the lab could not start: {exc}")
        return 1
    from camaudit.cli.scan import device_table

    console.print(device_table([d for d in result.devices if d.ports], title="Lab audit"))
    (out_dir / "demo-report.json").write_text(json.dumps(result.to_json(), indent=2), encoding="utf-8")
    write_html(result, out_dir / "demo-report.html")
    console.print(
        f"wrote {out_dir / 'demo-report.html'} and demo-report.json in {time.monotonic() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
