"""camaudit vs `nmap -sV` on the same emulated lab /24 and the same TCP ports, in one run.

camaudit runs with its defaults (the -T3 template: an adaptive rate, 4 connections per host, the
assessment and the register, as a user who types `camaudit scan NETWORK` gets them), then with each
other template asked for. Prints wall time, makers named correctly (against the lab manifest) and
state-changing requests the lab received from each run, then the ratios. Traffic stays on loopback
(127.99.0.0/24 by default).

    python bench/scan_vs_nmap.py [--network 127.99.0.0/24] [--timing default,4,5] [--nmap-args "-T4"]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET

from camaudit.data.load import load_vocabulary
from camaudit.lab.runner import Lab
from camaudit.sources.probes.tcp import PORTS as CAMAUDIT_TCP_PORTS


class LabThread:
    """The lab on its own event loop, so the two scanners run as separate processes against it."""

    def __init__(self, network: str) -> None:
        self.lab = Lab(network=network)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop.run_until_complete, args=(self._main(),), daemon=True
        )

    async def _main(self) -> None:
        await self.lab.start()
        self._ready.set()
        while not self._stop.is_set():
            await asyncio.sleep(0.2)
        await self.lab.stop()

    def __enter__(self) -> Lab:
        self._thread.start()
        if not self._ready.wait(60):
            raise SystemExit("the lab did not start")
        return self.lab

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)


def tcp_ports() -> list[int]:
    return sorted({port for port, _ in CAMAUDIT_TCP_PORTS})


def run_timed(argv: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    return time.monotonic() - started, done


def makers_named_by_nmap(xml_path: Path) -> dict[str, str | None]:
    """Per host, the first vocabulary maker named in nmap's service/OS strings (generous matching)."""
    vocab = load_vocabulary()
    names = sorted(
        ((alias.lower(), m.id) for m in vocab.manufacturers.values() for alias in (m.id, m.name, *m.aliases)),
        key=lambda pair: -len(pair[0]),
    )
    found: dict[str, str | None] = {}
    for host in SafeET.parse(xml_path).getroot().iter("host"):
        address = host.find("address").get("addr")  # type: ignore[union-attr]
        text = " ".join(
            " ".join(str(v) for v in el.attrib.values())
            for el in host.iter()
            if el.tag in ("service", "osmatch")
        ).lower()
        found[address] = next((maker for alias, maker in names if len(alias) > 2 and alias in text), None)
    return found


def score(named: dict[str, str | None], manifest: list[dict[str, Any]]) -> tuple[int, int]:
    """(correct makers, devices with a known maker)."""
    expected = {e["address"]: e["expected"]["manufacturer"] for e in manifest}
    known = {a: m for a, m in expected.items() if m}
    return sum(1 for a, m in known.items() if named.get(a) == m), len(known)


def state_changing(lab: Lab, since: int) -> int:
    return sum(1 for r in lab.requests[since:] if r.state_changing)


def bench_camaudit(lab: Lab, network: str, extra: list[str], folder: Path) -> dict[str, Any]:
    """One `camaudit scan` with its defaults plus `extra`, recorded in a register of its own."""
    since = len(lab.requests)
    name = "-".join(a.strip("-") for a in extra) or "default"
    out, db = folder / f"camaudit-{name}.json", folder / f"camaudit-{name}.sqlite"
    argv = [
        sys.executable,
        "-m",
        "camaudit",
        "scan",
        network,
        "-q",
        "--db",
        str(db),
        "--json",
        str(out),
        *extra,
    ]
    seconds, done = run_timed(argv)
    if done.returncode != 0:
        raise SystemExit(f"camaudit failed: {done.stderr[-2000:]}")
    devices = json.loads(out.read_text())["devices"]
    named = {d["ip"]: d["manufacturer"] for d in devices}
    correct, known = score(named, lab.manifest())
    return {
        "seconds": seconds,
        "correct": correct,
        "known": known,
        "changing": state_changing(lab, since),
        "requests": len(lab.requests) - since,
    }


def bench_nmap(lab: Lab, network: str, extra: list[str], out: Path) -> dict[str, Any]:
    since = len(lab.requests)
    ports = ",".join(str(p) for p in tcp_ports())
    argv = ["nmap", "-sV", "-Pn", "-n", "-p", ports, *extra, "-oX", str(out), network]
    seconds, done = run_timed(argv)
    if done.returncode != 0:
        raise SystemExit(f"nmap failed: {done.stderr[-2000:]}")
    correct, known = score(makers_named_by_nmap(out), lab.manifest())
    return {
        "seconds": seconds,
        "correct": correct,
        "known": known,
        "changing": state_changing(lab, since),
        "requests": len(lab.requests) - since,
    }


def report(cams: dict[str, dict[str, Any]], nmap: dict[str, Any], nmap_version: str) -> None:
    rows = [*(("camaudit " + name, r) for name, r in cams.items()), (nmap_version, nmap)]
    print(
        f"{'tool':<28}{'wall s':>9}{'makers right':>14}{'requests':>10}{'state-changing':>16}{'vs nmap':>9}"
    )
    for name, r in rows:
        speed = nmap["seconds"] / r["seconds"]
        print(
            f"{name:<28}{r['seconds']:>9.1f}{r['correct']:>8}/{r['known']:<5}{r['requests']:>10}"
            f"{r['changing']:>16}{speed:>8.1f}x"
        )
    cam = cams.get("defaults") or next(iter(cams.values()))
    speed = nmap["seconds"] / cam["seconds"]
    ident = cam["correct"] / max(nmap["correct"], 1)
    print(f"speed ratio with camaudit's defaults (nmap / camaudit wall time): {speed:.1f}x   target >= 20x")
    print(
        f"makers named (camaudit / nmap): {cam['correct']} / {nmap['correct']} = {ident:.1f}x   target >= 2x"
    )
    changing = max(r["changing"] for r in cams.values())
    print(f"state-changing requests: camaudit {changing}, nmap {nmap['changing']}   target camaudit 0")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--network", default="127.99.0.0/24")
    parser.add_argument(
        "--timing",
        default="default,4,5",
        help="camaudit runs: 'default' (no option) and/or template levels for -T (comma-separated)",
    )
    parser.add_argument("--nmap-args", default="", help="extra nmap arguments, e.g. -T4")
    args = parser.parse_args()
    if not shutil.which("nmap"):
        print("nmap is not installed (make bench-deps installs Debian's nmap)")
        return 1
    version = subprocess.run(["nmap", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    with tempfile.TemporaryDirectory() as tmp, LabThread(args.network) as lab:
        print(
            f"lab: {len(lab.profiles)} devices on {args.network}; TCP ports {','.join(map(str, tcp_ports()))}"
        )
        cams = {}
        for run in (r.strip() for r in args.timing.split(",") if r.strip()):
            extra = [] if run == "default" else [f"-T{run}"]
            cams["defaults" if run == "default" else f"-T{run}"] = bench_camaudit(
                lab, args.network, extra, Path(tmp)
            )
        nmap = bench_nmap(lab, args.network, args.nmap_args.split(), Path(tmp) / "nmap.xml")
        report(cams, nmap, f"nmap -sV ({version.replace('Nmap version ', '').split()[0]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
