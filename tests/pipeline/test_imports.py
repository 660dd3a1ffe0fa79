"""The import audit as an engine: files in, devices identified and assessed, one `import` audit recorded."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from camaudit.lab.runner import Lab
from camaudit.net.limits import Limits
from camaudit.pipeline.imports import resume_import, run_import
from camaudit.pipeline.scan import run_scan
from camaudit.scope import Scope
from camaudit.store import Reader, Register
from camaudit.store.reader import audit_kind

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"
FAST = Limits(rate=2000, connect_timeout=1.5, read_timeout=1.5, udp_wait=1.0)


def test_samples_become_one_import_audit(tmp_path: Path) -> None:
    files = [str(DATA / "nmap_dionaea.xml"), str(DATA / "masscan_many.json"), str(DATA / "zmap_output.csv")]
    with Register(tmp_path / "r.sqlite") as register:
        result = run_import(files, register, options={"note": "test"})
    assert result.formats == dict(zip(files, ["nmap_xml", "masscan_json", "zmap_csv"], strict=True))
    assert result.records == 1 + 4 + 5 and result.skipped == 0 and not result.cut
    assert result.addresses == 7  # the ZMap addresses are in scope, though they showed no service
    with Reader(tmp_path / "r.sqlite") as reader:
        audit = reader.audit(result.audit_id)
        devices = {r.device.ip: r.device for r in reader.devices(audit.id)}
        observations = list(reader.observations(audit.id))
    assert audit_kind(audit) == "import" and audit.complete
    assert audit.options["formats"] == result.formats and audit.options["note"] == "test"
    assert "130.64.0.129" in audit.scope and "172.29.0.3" in audit.scope
    # masscan wrote one record per port, in no order: the four meet again as one device
    assert devices["172.29.0.3"].ports == (80, 3000, 8080, 8443)
    assert devices["172.28.1.3"].mac == "02:42:ac:1c:01:03"  # keyed by MAC: merges with other audits
    assert any(o.source == "import:nmap" for o in observations)


def test_the_same_device_in_two_imports_is_one_register_device(tmp_path: Path) -> None:
    with Register(tmp_path / "r.sqlite") as register:
        first = run_import([str(DATA / "nmap_dionaea.xml")], register)
        second = run_import([str(DATA / "nmap_dionaea.xml")], register)
    with Reader(tmp_path / "r.sqlite") as reader:
        ids = {r.id for a in (first, second) for r in reader.devices(str(a.audit_id))}
        assert reader.previous(reader.audit(second.audit_id)).id == first.audit_id  # type: ignore[union-attr]
    assert len(ids) == 1


def test_without_a_register_only_counts(tmp_path: Path) -> None:
    result = run_import([str(DATA / "shodan_host_140.82.121.4.json")], keep_devices=True)
    assert result.audit_id is None and result.devices == 1
    assert result.kept[0].ports == (22, 80, 443, 9418)


# --------------------------------------------------------------------------- the demo lab, scanned by nmap

# nmap -sV -sC sees only what its probes and default scripts ask: these devices' tells are in ONVIF,
# DHIP or SADP (which nmap does not speak), so an nmap file leaves their maker open, never wrong.
NMAP_BLIND = {"lorex-ipc", "uniview-camera"}


@pytest.fixture(scope="module")
def lab_by_nmap(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    if shutil.which("nmap") is None:
        pytest.skip("nmap is not installed (make bench-deps or apt-get install nmap)")
    devices = [d for d in lab.manifest() if not d["profile"].startswith("hostile")]
    out = tmp_path_factory.mktemp("nmap") / "lab.xml"
    addresses = [d["address"] for d in devices]
    command = ["nmap", "-sV", "-sC", "-Pn", "-n", "-p", "80,443,554,8000", "-oX", str(out), *addresses]
    subprocess.run(command, check=True, capture_output=True, timeout=540)
    return {d["address"]: d["profile"] for d in devices}, out


@pytest.mark.timeout(900)
def test_an_nmap_scan_of_the_lab_names_the_makers_camaudits_scan_names(
    lab_by_nmap: tuple[dict[str, str], Path],
) -> None:
    profiles, xml = lab_by_nmap
    imported = {d.ip: d.manufacturer for d in run_import([str(xml)], keep_devices=True).kept}
    scanned = asyncio.run(run_scan(Scope.parse(sorted(profiles)), FAST))
    ours = {d.ip: d.manufacturer for d in scanned.devices}
    for ip, profile in profiles.items():
        if profile == "liar":
            # The liar's App-webs/ Server header is all nmap records of it; camaudit's own scan unmasks it
            # with a canary path no scanner asks for. An nmap file cannot tell the two apart.
            assert ours[ip] is None
        elif profile in NMAP_BLIND:
            assert imported.get(ip) is None, profile
        else:
            assert imported.get(ip) == ours.get(ip), profile
    assert sum(1 for m in imported.values() if m) >= 15


def _generated_shodan(path: Path, records: int) -> None:
    """A Shodan file of real banners (tests/census/shodan_records.py), many addresses, several batches."""
    import importlib.util
    import sys

    where = Path(__file__).resolve().parents[1] / "census" / "shodan_records.py"
    spec = importlib.util.spec_from_file_location("shodan_records", where)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["shodan_records"] = module
    spec.loader.exec_module(module)
    module.write(path, records, seed=5)


def _recorded(db: Path) -> int:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM hosts").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.timeout(600)  # three imports of 6,000 banners; slow on a loaded machine
def test_kill_9_mid_import_then_resume_loses_nothing(tmp_path: Path) -> None:
    import os
    import signal
    import sqlite3
    import sys
    import time

    data, db = tmp_path / "shodan.json", tmp_path / "r.sqlite"
    _generated_shodan(data, 6000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "camaudit", "import", str(data), "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while _recorded(db) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = _recorded(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Reader(db) as reader:
        (stopped,) = reader.audits()
        assert not stopped.complete and 0 < kept == len(reader.recorded_hosts(stopped.id))
        before = {r.key for r in reader.devices(stopped.id)}
    with Register(db) as register, Reader(db) as reader:
        resumed = resume_import(register, reader, stopped.id)
    fresh = run_import([str(data)])
    with Reader(db) as reader:
        audit = reader.audit(stopped.id)
        assert audit.complete and len(reader.recorded_hosts(audit.id)) == fresh.addresses
        after = {r.key for r in reader.devices(audit.id)}
    assert before <= after and len(after) == fresh.devices
    assert resumed.devices == fresh.devices - len(before)
