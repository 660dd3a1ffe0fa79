"""Many sites reporting into one central register: 20 site scanners, 10,000 hosts in total, at once.

A real PostgreSQL server (Debian's, on a Unix socket in a temporary folder) holds the central register;
`camaudit serve` runs in its own process on 127.0.0.1; 20 `pipeline.central.Reporter`s (one per site, each
with its own spool and write token) report 500 hosts each. When 40% of the hosts have arrived the server
is killed (SIGKILL) and restarted 2 s later: the spools hold what could not be sent and drain. At the end
the register must hold every host exactly once. Printed: hosts/s accepted by the server, p95 latency of a
post, retries, and the totals.

    python bench/multisite.py [--sites 20] [--hosts 10000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.store.conftest import _start_postgres, _stop_postgres  # noqa: E402

from camaudit.model import Audit, Device, Observation, Transport, utcnow  # noqa: E402
from camaudit.pipeline.central import Reporter  # noqa: E402
from camaudit.store import Register  # noqa: E402
from camaudit.store.accounts import Accounts  # noqa: E402
from camaudit.web import auth  # noqa: E402

DEADLINE = 900.0  # seconds: the run stops by itself whatever happens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "camaudit", "serve", "--db", url, "--port", str(port), "--no-policy"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the central server did not start")


def host(site: int, n: int) -> tuple[str, Observation, Device]:
    ip = f"127.{100 + site}.{n // 250}.{n % 250 + 1}"
    obs = Observation(source="probe:http", ip=ip, port=80, transport=Transport.TCP, protocol="http",
                      kind="http.response", fields={"http.server": "Webs"},
                      raw=b"HTTP/1.1 200 OK\r\n\r\n")  # fmt: skip
    device = Device(
        ips=(ip,), ports=(80,), brand="hikvision", manufacturer="hikvision", serial=f"S{site}-{n}"
    )
    return ip, obs, device


def site_run(reporter: Reporter, site: int, hosts: int) -> None:
    audit_id = f"{site:04d}" + "a" * 28
    audit = Audit(id=audit_id, started=utcnow(), scope=(), options={"site": site})
    reporter.begin(audit)
    devices = []
    for n in range(hosts):
        ip, obs, device = host(site, n)
        reporter.host(audit_id, ip, [obs], [], [device])
        devices.append(device)
    reporter.finish(replace(audit, finished=utcnow()), devices)


def count_hosts(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM hosts").scalar() or 0)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=10_000)
    args = parser.parse_args()
    per_site = args.hosts // args.sites
    total = per_site * args.sites
    base = Path(tempfile.mkdtemp(prefix="camaudit-bench-"))
    try:
        url = _start_postgres(base)
    except Exception as exc:  # no PostgreSQL here: say so, do not pretend
        print(f"multisite: skipped, no PostgreSQL server could be started ({exc})")
        shutil.rmtree(base, ignore_errors=True)
        return 0
    proc = None
    try:
        tokens = []
        with Register(url) as register:
            accounts = Accounts(register.engine)
            for s in range(args.sites):
                token = auth.new_token()
                accounts.add_token(f"site{s}", "write", f"site{s}", auth.token_hash(token), "bench")
                tokens.append(token)
        port = free_port()
        proc = start_server(url, port)
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        started = time.monotonic()
        reporters = [
            Reporter(f"http://127.0.0.1:{port}", f"site{s}", tokens[s], base / f"spool{s}", timeout=10)
            for s in range(args.sites)
        ]
        feeders = [threading.Thread(target=site_run, args=(r, s, per_site)) for s, r in enumerate(reporters)]
        for f in feeders:
            f.start()
        while count_hosts(engine) < total * 0.4 and time.monotonic() - started < DEADLINE:
            time.sleep(0.2)
        at_kill = count_hosts(engine)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed = time.monotonic()
        spooled = sum(r.pending() for r in reporters)
        time.sleep(2)
        proc = start_server(url, port)
        down = time.monotonic() - killed
        for f in feeders:
            f.join()
        left = sum(r.close(wait=max(1.0, DEADLINE - (time.monotonic() - started))) for r in reporters)
        elapsed = time.monotonic() - started
        with engine.connect() as conn:
            hosts = int(conn.exec_driver_sql("SELECT count(*) FROM hosts").scalar() or 0)
            distinct = int(
                conn.exec_driver_sql("SELECT count(DISTINCT (audit_id, ip)) FROM hosts").scalar() or 0
            )
            observations = int(conn.exec_driver_sql("SELECT count(*) FROM observations").scalar() or 0)
            finished = int(
                conn.exec_driver_sql("SELECT count(*) FROM audits WHERE finished IS NOT NULL").scalar() or 0
            )
            span = conn.exec_driver_sql(
                "SELECT extract(epoch FROM max(done_at) - min(done_at)) FROM hosts"
            ).scalar()
        engine.dispose()
        latencies = sorted(x for r in reporters for x in (r.stats.latencies or []))
        p95 = latencies[int(len(latencies) * 0.95)] if latencies else float("nan")
        p50 = latencies[len(latencies) // 2] if latencies else float("nan")
        retries = sum(r.stats.retries for r in reporters)
        rejected = sum(r.stats.rejected for r in reporters)
        print(f"multisite: {args.sites} sites x {per_site} hosts = {total} hosts reported at once")
        print(
            f"  server killed at {at_kill} hosts received ({spooled} messages waiting in spools), "
            f"back after {down:.1f} s"
        )
        print(
            f"  register: {hosts} host rows ({distinct} distinct), {observations} observations, "
            f"{finished}/{args.sites} audits finished"
        )
        print(f"  unsent left in spools: {left}, rejected: {rejected}, retry rounds: {retries}")
        print(f"  {total / elapsed:.0f} hosts/s end to end over {elapsed:.1f} s (including the outage); "
              f"{hosts / float(span or 1):.0f} hosts/s accepted by the server "
              "(first to last host row)")  # fmt: skip
        print(f"  post latency: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms over {len(latencies)} posts")
        exact = (
            hosts == distinct == observations == total
            and finished == args.sites
            and left == 0
            and not rejected
        )
        print("  totals exact: " + ("yes" if exact else "NO"))
        return 0 if exact else 1
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
        _stop_postgres(base)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
