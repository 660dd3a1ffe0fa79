"""Opt-in proofs that take minutes (`make soak`): skipped unless CAMAUDIT_SOAK=1.

They start their own lab in a child process (`camaudit lab serve`) on a random loopback /24, so the
memory measured in the test process is the scanner's alone.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ENABLED = os.environ.get("CAMAUDIT_SOAK") == "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if ENABLED:
        return
    skip = pytest.mark.skip(reason="opt-in: make soak (CAMAUDIT_SOAK=1)")
    for item in items:
        if "tests/soak/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


def rss_kib(pid: int | str = "self") -> int:
    """Resident set size (VmRSS) in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@dataclass
class ServedLab:
    process: subprocess.Popen[bytes]
    manifest: list[dict[str, Any]]
    request_log: Path

    @property
    def addresses(self) -> dict[str, str]:
        return {e["profile"]: e["address"] for e in self.manifest}

    def requests(self) -> list[dict[str, Any]]:
        text = self.request_log.read_text(encoding="utf-8") if self.request_log.exists() else ""
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def serve_lab(profiles: list[str], workdir: Path) -> ServedLab:
    """`camaudit lab serve` with these profiles on a free random 127.x.y.0/24, up and listening."""
    for _ in range(8):
        network = f"127.{random.randint(64, 250)}.{random.randint(0, 255)}.0/24"
        manifest = workdir / f"manifest-{network.split('/')[0]}.json"
        log = workdir / "lab-requests.jsonl"
        argv = [
            sys.executable,
            "-m",
            "camaudit",
            "lab",
            "serve",
            "--network",
            network,
            "--manifest",
            str(manifest),
        ]
        argv += ["--request-log", str(log)]
        for p in profiles:
            argv += ["--profile", p]
        errors = workdir / "lab-stderr.txt"
        with errors.open("wb") as err_file:
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err_file)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and not manifest.exists():
            time.sleep(0.1)
        if manifest.exists():
            return ServedLab(proc, json.loads(manifest.read_text()), log)
        proc.kill()
        proc.wait()
        err = errors.read_text(errors="replace")
        if "address in use" not in err:
            raise RuntimeError(f"the lab did not start: {err[-2000:]}")
    raise RuntimeError("no free loopback /24 for the lab after 8 tries")


def stop_lab(lab: ServedLab) -> None:
    if lab.process.poll() is None:
        lab.process.send_signal(signal.SIGTERM)
        try:
            lab.process.wait(30)
        except subprocess.TimeoutExpired:
            lab.process.kill()
            lab.process.wait()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[list[ServedLab]]:
    """Labs a test starts with `serve_lab`; stopped afterwards whatever happens."""
    labs: list[ServedLab] = []
    try:
        yield labs
    finally:
        for lab in labs:
            stop_lab(lab)
