"""`camaudit lab serve` starts, writes the manifest and stops on SIGTERM leaving nothing listening."""

from __future__ import annotations

import json
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from camaudit.cli.lab import lab
from camaudit.lab.profile import load_profiles


def test_lab_list_shows_every_profile() -> None:
    result = CliRunner(env={"COLUMNS": "300"}).invoke(lab, ["list"])
    assert result.exit_code == 0
    assert "hikvision-ipc" in result.output and "liar" in result.output


def test_lab_list_reads_at_80_columns() -> None:
    result = CliRunner(env={"COLUMNS": "80"}).invoke(lab, ["list"])
    lines = result.output.splitlines()
    assert result.exit_code == 0 and max(len(line) for line in lines) <= 80
    assert "…" not in result.output  # nothing cut: descriptions wrap whole
    flat = " ".join(result.output.split())
    assert "axis-camera Axis Communications · IP camera" in flat
    assert "lorex-ipc Dahua, sold as Lorex" in flat
    for profile in load_profiles():
        assert " ".join(profile.description.split()) in flat


def _wait_for(path: Path, proc: subprocess.Popen[bytes]) -> list[dict[str, object]]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if path.exists():
            return list(json.loads(path.read_text()))
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        time.sleep(0.1)
    raise AssertionError("no manifest")


def test_serve_writes_manifest_and_stops_on_sigterm(tmp_path: Path) -> None:
    network = f"127.{random.randint(64, 250)}.{random.randint(0, 255)}.0/24"
    manifest, log = tmp_path / "lab.json", tmp_path / "requests.jsonl"
    argv = [sys.executable, "-m", "camaudit.cli.lab", "serve", "--network", network,
            "--profile", "plain-webserver", "--profile", "hikvision-ipc", "--manifest", str(manifest),
            "--request-log", str(log), "--port-offset", "10000"]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        entries = _wait_for(manifest, proc)
        web = next(e for e in entries if e["profile"] == "plain-webserver")
        assert web["ports"] == {"80/tcp": 10080}
        address = str(web["address"])
        with socket.create_connection((address, 10080), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert sock.recv(12) == b"HTTP/1.1 200"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        if proc.stderr:
            proc.stderr.close()
    assert json.loads(log.read_text().splitlines()[0])["path"] == "/"
    for entry in entries:
        for port in entry["ports"].values():  # type: ignore[union-attr]
            with socket.socket() as probe:
                assert probe.connect_ex((str(entry["address"]), int(port))) != 0
