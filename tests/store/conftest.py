"""Register fixtures: a fresh file per test, and model objects shaped like a real audit."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from camaudit.model import (
    Audit,
    Device,
    Evidence,
    Finding,
    FindingKind,
    Observation,
    ProbeAttempt,
    ProbeStatus,
    Severity,
    Transport,
)
from camaudit.store import Register

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "register.sqlite"


@pytest.fixture
def register(db: Path) -> Iterator[Register]:
    with Register(db) as reg:
        yield reg


def audit(audit_id: str, days: int = 0, scope: tuple[str, ...] = ("127.0.0.1",)) -> Audit:
    return Audit(id=audit_id, started=T0 + timedelta(days=days), scope=scope, options={"rate": 200.0})


def hik(ip: str = "127.0.0.1", firmware: str = "V5.7.3 build 220112", **extra: object) -> Device:
    evidence = Evidence(
        kind="http.response",
        field="http.server",
        value="Webs",
        rule_id="http-server-webs",
        source="probe:http",
        port=80,
        claims={"manufacturer": "hikvision"},
        confidence=0.6,
    )
    values: dict[str, object] = {
        "ips": (ip,),
        "ports": (80, 554, 8000),
        "brand": "hikvision",
        "manufacturer": "hikvision",
        "model": "DS-2CD2347G2-LU",
        "firmware": firmware,
        "serial": "DS-2CD2347G2-LU20230101AAWRJ1",
        "device_type": "ip_camera",
        "confidence": 0.97,
        "evidence": (evidence,),
        **extra,
    }
    return Device(**values)  # type: ignore[arg-type]


def finding(check_id: str = "cve-2017-7921", **extra: object) -> Finding:
    values: dict[str, object] = {
        "check_id": check_id,
        "kind": FindingKind.VULNERABILITY,
        "severity": Severity.CRITICAL,
        "title": "Improper authentication",
        "evidence": (Evidence("http.response", "http.server", "Webs"),),
        "remediation": "Update the firmware.",
        "references": ("https://nvd.nist.gov/vuln/detail/CVE-2017-7921",),
        "verified": True,
        "status": "affected",
        "details": {"kev": "true", "cvss": "10.0"},
        **extra,
    }
    return Finding(**values)  # type: ignore[arg-type]


def observation(ip: str = "127.0.0.1", raw: bytes = b"HTTP/1.1 200 OK\r\n\r\n") -> Observation:
    return Observation(
        source="probe:http",
        ip=ip,
        port=80,
        transport=Transport.TCP,
        protocol="http",
        kind="http.response",
        fields={"http.server": "Webs", "http.status": "200"},
        raw=raw,
    )


def attempt(ip: str = "127.0.0.1") -> ProbeAttempt:
    return ProbeAttempt(
        probe="http",
        ip=ip,
        port=8080,
        transport=Transport.TCP,
        status=ProbeStatus.TIMEOUT,
        error_reason="no reply in 2.0 s",
        duration_ms=2000.0,
    )


def record_audit(register: Register, audit_id: str, devices: list[Device], days: int = 0) -> None:
    """A whole audit through the same calls the scan makes: begin, one host each, finish."""
    register.begin_audit(audit(audit_id, days, tuple(d.ip for d in devices)))
    for d in devices:
        register.record_host(audit_id, d.ip, [observation(d.ip)], [], [d])
    register.finish_audit(audit_id, devices, T0 + timedelta(days=days, minutes=5))


# --- a throwaway PostgreSQL, on a Unix socket only (no TCP port at all) ----------------------------------


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


def _as_postgres(argv: list[str]) -> list[str]:
    # initdb refuses to run as root: run the server as Debian's `postgres` user when we are root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


def _start_postgres(base: Path) -> str:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl or (os.geteuid() == 0 and not shutil.which("runuser")):
        raise RuntimeError("no PostgreSQL server binaries")
    data, sock = base / "data", base / "sock"
    for folder in (data, sock):
        folder.mkdir()
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    run = {"capture_output": True, "check": True, "timeout": 60}
    subprocess.run(_as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres"]), **run)  # type: ignore[call-overload]
    options = f"-k {sock} -c listen_addresses='' -c fsync=off"
    subprocess.run(
        _as_postgres([pg_ctl, "-D", str(data), "-o", options, "-w", "start", "-l", str(base / "log")]), **run
    )  # type: ignore[call-overload]
    return f"postgresql+psycopg://postgres@/postgres?host={sock}"


def _stop_postgres(base: Path) -> None:
    pg_ctl = _pg_bin("pg_ctl")
    if pg_ctl:
        argv = _as_postgres([pg_ctl, "-D", str(base / "data"), "-m", "immediate", "-w", "stop"])
        subprocess.run(argv, capture_output=True, check=False, timeout=60)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """`CAMAUDIT_TEST_POSTGRES_URL`, else our own server for the session; skips when neither is possible."""
    given = os.environ.get("CAMAUDIT_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    base = Path(tempfile.mkdtemp(prefix="camaudit-pg-"))  # short: a socket path is limited to ~100 bytes
    try:
        url = _start_postgres(base)
    except (RuntimeError, subprocess.SubprocessError, OSError, LookupError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"no PostgreSQL server could be started: {exc}")
    try:
        yield url
    finally:
        _stop_postgres(base)
        shutil.rmtree(base, ignore_errors=True)
