"""`make demo`: start the emulated lab on loopback, audit it into a fresh register, write the reports.

Real cameras listen on 80/443/554, which only root may bind. An ordinary user gets a private user and
network namespace (`unshare --user --map-root-user --net`), where binding low ports on its own loopback is
allowed; where user namespaces are disabled, the lab falls back to high ports with a port map.

Writes, in the current directory: demo-report.register.sqlite (the register), demo-report.html
(self-contained), demo-report.pdf (A4), demo-report.json and lab-manifest.json; prints a one-screen summary.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from camaudit import report
from camaudit.assess.framework import AssessOptions
from camaudit.errors import LabError
from camaudit.lab.runner import Lab
from camaudit.model import Transport
from camaudit.net.limits import timing
from camaudit.pipeline.policy import run_policy
from camaudit.pipeline.scan import ScanResult, run_scan
from camaudit.report.formats import BY_NAME
from camaudit.scope import Scope
from camaudit.store import Register

NETWORK = "127.42.0.0/24"
IN_NAMESPACE = "CAMAUDIT_DEMO_IN_NAMESPACE"
FALLBACK_PORT_OFFSET = 20000
REGISTER = "demo-report.register.sqlite"
DEMO_CONFIG = (
    Path(__file__).parent / "data" / "examples" / "demo-organisation.toml"
)  # matches .gitignore's demo-report.*


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


def _fresh_register(path: Path) -> Register:
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    return Register(path)


def _port_map(lab: Lab, offset: int) -> dict[tuple[int, Transport], int] | None:
    """Where the unprivileged fallback moved each real port (None when the lab has the real ports)."""
    if not offset:
        return None
    keys = {key for entry in lab.manifest() for key in entry["ports"]}
    return {(int(k.split("/")[0]), Transport(k.split("/")[1])): int(k.split("/")[0]) + offset for k in keys}


async def _audit(out_dir: Path, console: Console, port_offset: int, register: Register) -> ScanResult:
    async with Lab(network=NETWORK, port_offset=port_offset) as lab:
        console.print(f"lab: {len(lab.profiles)} emulated devices on {NETWORK}")
        scope = Scope.parse([NETWORK])
        limits = timing(connect_timeout=2.0, read_timeout=2.0)  # the default template, adaptive rate
        # The default audit: identification, then CVE and exposure checks with safe read-only verification.
        result = await run_scan(
            scope, limits, register=register, assessment=AssessOptions(), port_map=_port_map(lab, port_offset)
        )
        (out_dir / "lab-manifest.json").write_text(json.dumps(lab.manifest(), indent=2), encoding="utf-8")
        state_changing = [r for r in lab.requests if r.state_changing]
        console.print(f"lab request log: {len(lab.requests)} requests, {len(state_changing)} state-changing")
    return result


def _listing(rows: list[Mapping[str, Any]]) -> str:
    return ", ".join(f"{escape(str(r['name']))} {r['count']}" for r in rows) or "none"


def summary_lines(view: Mapping[str, Any]) -> list[str]:
    """The one-screen summary: what a security manager reads first."""
    s = view["summary"]
    lines = [
        f"[bold]Audit {view['audit']['id'][:12]}[/]: {s['devices']} devices, "
        f"{s['cameras']} cameras/recorders, {s['identified']} with a manufacturer identified",
        f"By true manufacturer: {_listing(view['by_manufacturer'])}",
        f"By label brand:       {_listing(view['by_brand'])}",
        f"Findings: {s['findings']} ({_listing([r for r in view['findings_by_severity'] if r['count']])}), "
        f"{s['kev_findings']} on the CISA KEV list; {s['undetermined']} checks could not decide",
    ]
    lines += [
        f"  rebrand: {escape(r['brand'])} is made by {escape(r['manufacturer'])} ({r['count']})"
        for r in view["rebrands"]
    ]
    return lines + _policy_lines(view.get("compliance"))


def _policy_lines(compliance: Mapping[str, Any] | None) -> list[str]:
    if not compliance:
        return []
    flagged = ", ".join(f"{escape(p['id'])} {p['violates']}" for p in compliance["packs"] if p["violates"])
    return [
        f"Possible non-compliance (check with counsel): {flagged or 'none'}",
        f"Removal plan: {escape(compliance['plan']['summary'])}",
    ]


def _reports(out_dir: Path) -> Mapping[str, Any]:
    """Judge the audit (its verdicts stored with it), then write the report in three formats."""
    register = out_dir / REGISTER
    config_path = None if Path("camaudit.toml").is_file() else str(DEMO_CONFIG)
    choice = (config_path, (), ())  # ./camaudit.toml when present, else the demo's
    run_policy(register, None, choice, record=True)
    view = report.build(register, policy=choice)
    for name in ("html", "pdf", "json"):
        BY_NAME[name].write(view, out_dir / f"demo-report.{name}")
    return view


def main() -> int:
    if os.geteuid() != 0 and not os.environ.get(IN_NAMESPACE):
        code = _reexec_in_namespace()
        if code is not None:
            return code
    console = Console(width=None if sys.stdout.isatty() else 120)
    out_dir = Path.cwd()
    started = time.monotonic()
    offset = 0 if os.geteuid() == 0 else FALLBACK_PORT_OFFSET
    try:
        with _fresh_register(out_dir / REGISTER) as register:
            asyncio.run(_audit(out_dir, console, offset, register))
    except LabError as exc:
        console.print(f"camaudit demo: the lab could not start: {escape(str(exc))}")
        return 1
    view = _reports(out_dir)
    for line in summary_lines(view):
        console.print(line)
    console.print(f"register: {out_dir / REGISTER}")
    console.print(f"report:   {out_dir / 'demo-report.html'} (open it in a browser; no network needed)")
    console.print(f"          {out_dir / 'demo-report.pdf'} and demo-report.json")
    console.print(f"done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
