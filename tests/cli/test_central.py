"""`cli.central` end to end, with real processes: `camaudit serve` as the central register,
`camaudit tokens create` for a site, and `camaudit scan --report-to` of the lab from that site.

The central register must hold the audit's hosts under the site, exactly once; with the server down the
scan keeps its spool and says so, and a later run sends it; another site's token cannot write this one's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.store.conftest import postgres_url  # noqa: F401 (fixture)
from tests.web.serving import free_port

from camaudit.lab.runner import Lab
from camaudit.store import Reader
from camaudit.store import schema as t
from camaudit.web.app import TOKEN_CACHE_SECONDS

PROFILES = ("lts-ipc", "lorex-ipc", "dahua-nvr", "plain-webserver")


def camaudit(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "camaudit", *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, check=False,
    )  # fmt: skip


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as reply:  # noqa: S310 (loopback)
            return bool(reply.status == 200)
    except OSError:
        return False


@contextmanager
def central(db: str, port: int) -> Iterator[str]:
    """`camaudit serve` in its own process on 127.0.0.1:port; stopped with Ctrl-C (SIGINT)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "camaudit", "serve", "--db", str(db), "--port", str(port), "--no-policy"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _healthy(url):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else "serve exited"
            assert time.monotonic() < deadline, "camaudit serve did not answer in 60 s"
            time.sleep(0.1)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


def token_for(db: str, site: str, folder: Path) -> Path:
    made = camaudit("tokens", "create", "--scope", "write", "--site", site, "--db", str(db))
    assert made.returncode == 0, made.stderr
    path = folder / f"{site}.token"
    path.write_text(made.stdout)
    return path


def scan(
    lab: Lab, folder: Path, url: str, site: str, token: Path, spool: Path
) -> subprocess.CompletedProcess[str]:
    addresses = {e["profile"]: e["address"] for e in lab.manifest()}
    return camaudit(
        "scan", *(addresses[p] for p in PROFILES), "--rate", "2000", "--timeout", "1.5", "-q",
        "--db", str(folder / "site.sqlite"), "--report-to", url, "--site", site,
        "--token-file", str(token), "--spool", str(spool),
    )  # fmt: skip


def site_audits(db: str, site: str) -> dict[str, set[str]]:
    """Each audit the central register holds for `site`, with the addresses of its hosts."""
    engine = sa.create_engine(db if "://" in db else f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            ids = conn.execute(sa.select(t.AUDIT_SITES.c.audit_id).where(t.AUDIT_SITES.c.site == site))
            found: dict[str, set[str]] = {}
            for (audit_id,) in ids.all():
                rows = conn.execute(sa.select(t.HOSTS.c.ip).where(t.HOSTS.c.audit_id == audit_id)).all()
                ips = [ip for (ip,) in rows]
                assert len(ips) == len(set(ips)), "a host recorded twice"
                found[audit_id] = set(ips)
            options = conn.execute(sa.select(t.AUDITS.c.options)).scalars().all()
            reported = [o for o in options if o.get("kind") != "estate"]  # estates: every site at once
            assert len(reported) == len(conn.execute(sa.select(t.AUDIT_SITES.c.audit_id)).all()), (
                "an audit without its site"
            )
    finally:
        engine.dispose()
    return found


def local_audits(folder: Path) -> dict[str, set[str]]:
    with Reader(folder / "site.sqlite") as reader:
        return {a.id: reader.recorded_hosts(a.id) for a in reader.audits()}


@pytest.fixture(params=["sqlite", "postgresql"])
def register(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The central register: a SQLite file, or the tests' own PostgreSQL server emptied for this test."""
    if request.param == "sqlite":
        return str(tmp_path / "central.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    admin.dispose()
    return url


def test_a_site_scan_lands_in_the_central_register_once(lab: Lab, register: str, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    token = token_for(register, "north", tmp_path)
    with central(register, free_port()) as url:
        done = scan(lab, tmp_path, url, "north", token, spool)
        assert done.returncode == 0, done.stderr
        assert "kept in" not in done.stderr and "refused" not in done.stderr, done.stderr
        [(audit_id, hosts)] = local_audits(tmp_path).items()
        addresses = {e["profile"]: e["address"] for e in lab.manifest()}
        assert hosts == {addresses[p] for p in PROFILES}
        assert site_audits(register, "north") == {audit_id: hosts}
        assert site_audits(register, "south") == {}
        assert list(spool.glob("*.json")) == []
        with Reader(tmp_path / "site.sqlite") as local, Reader(register) as there:
            mine = {d.key: (d.device.brand, d.device.manufacturer) for d in local.devices(audit_id)}
            theirs = {d.key: (d.device.brand, d.device.manufacturer) for d in there.devices(audit_id)}
        # the central register keeps each site's devices apart (sites reuse private addresses)
        assert theirs == {f"site:north/{k}": v for k, v in mine.items()}
        assert ("lorex", "dahua") in mine.values()


def test_with_the_server_down_the_spool_waits_for_the_next_run(lab: Lab, tmp_path: Path) -> None:
    db, spool, port = str(tmp_path / "central.sqlite"), tmp_path / "spool", free_port()
    token = token_for(db, "north", tmp_path)
    url = f"http://127.0.0.1:{port}"  # nobody listens yet
    away = scan(lab, tmp_path, url, "north", token, spool)
    assert away.returncode == 0, away.stderr
    kept = len(list(spool.glob("*.json")))
    assert kept == 2 + len(PROFILES)  # the start, each host, the finish
    assert f"{kept} kept in {spool}" in away.stderr and "0 message(s) sent" in away.stderr, away.stderr
    assert token.read_text().strip() not in "".join(p.read_text() for p in spool.glob("*.json"))
    [first] = local_audits(tmp_path)
    with central(db, port):
        sent = camaudit("spool", "--report-to", url, "--site", "north", "--token-file", str(token),
                        "--spool", str(spool))  # fmt: skip
        assert sent.returncode == 0, sent.stderr
        assert f"{kept} message(s) sent" in sent.stderr and "kept in" not in sent.stderr, sent.stderr
        assert site_audits(db, "north") == local_audits(tmp_path)  # sent without scanning again
        later = scan(lab, tmp_path, url, "north", token, spool)
        assert later.returncode == 0, later.stderr
        assert f"{kept} message(s) sent" in later.stderr and "kept in" not in later.stderr, later.stderr
        local = local_audits(tmp_path)
        assert len(local) == 2 and first in local
        assert site_audits(db, "north") == local  # both audits, each host once
        assert list(spool.glob("*.json")) == []


def test_a_south_token_cannot_write_north(lab: Lab, tmp_path: Path) -> None:
    db, spool = str(tmp_path / "central.sqlite"), tmp_path / "spool"
    token_for(db, "north", tmp_path)
    south = token_for(db, "south", tmp_path)
    with central(db, free_port()) as url:
        done = scan(lab, tmp_path, url, "north", south, spool)
        assert done.returncode == 0, done.stderr
        assert "0 message(s) sent" in done.stderr and "refused by the server" in done.stderr, done.stderr
        assert site_audits(db, "north") == {} and site_audits(db, "south") == {}
        assert len(list((spool / "rejected").glob("*.json"))) == 2 + len(PROFILES)
        assert list(spool.glob("*.json")) == []


def _status(url: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    request = urllib.request.Request(f"{url}/devices.json", headers=headers)  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:  # noqa: S310 (loopback)
            return int(reply.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_tokens_list_and_a_revoked_token_is_refused_within_30_s(tmp_path: Path) -> None:
    db = str(tmp_path / "central.sqlite")
    made = camaudit("tokens", "create", "--name", "reader", "--scope", "read", "--db", db)
    token = made.stdout.strip()
    token_for(db, "north", tmp_path)
    listed = camaudit("tokens", "list", "--json", "--db", db)
    assert listed.returncode == 0 and token not in listed.stdout
    rows = {r["name"]: r for r in json.loads(listed.stdout)["tokens"]}
    north, reader = rows["north"], rows["reader"]
    assert (north["scope"], north["site"], reader["scope"], reader["site"]) == (
        "write",
        "north",
        "read",
        None,
    )
    table = camaudit("tokens", "list", "--db", db)
    assert "reader" in table.stdout and "north" in table.stdout and table.stdout.count("revoked") == 1
    with central(db, free_port()) as url:
        assert _status(url, token) == 200  # the server now holds the token in its cache
        revoked = camaudit("tokens", "revoke", str(reader["id"]), "--db", db)
        assert revoked.returncode == 0, revoked.stderr
        since = time.monotonic()
        while _status(url, token) == 200:
            assert time.monotonic() - since < TOKEN_CACHE_SECONDS + 2, "a revoked token still works"
            time.sleep(0.5)
        assert _status(url, token) == 401
    after = json.loads(camaudit("tokens", "list", "--json", "--db", db).stdout)["tokens"]
    assert [r["revoked"] for r in after] == [True, False]
    missing = camaudit("tokens", "revoke", "999", "--db", db)
    assert missing.returncode == 2 and "no token 999" in missing.stderr


def test_two_sites_at_the_same_addresses_make_one_estate_of_both(lab: Lab, tmp_path: Path) -> None:
    # Sites reuse private addresses: here both scan the same lab. The central register keeps each
    # site's devices apart, and its latest audit (dashboard, report) is the estate of both sites.
    db = str(tmp_path / "central.sqlite")
    with central(db, free_port()) as url:
        for site in ("north", "south"):
            folder = tmp_path / site
            folder.mkdir()
            done = scan(lab, folder, url, site, token_for(db, site, folder), folder / "spool")
            assert done.returncode == 0 and "kept in" not in done.stderr, done.stderr
    with Reader(db) as there:
        estate = there.audit()
        keys = {d.key for d in there.devices(estate.id)}
    assert estate.kind == "estate" and sorted(estate.options["sites"]) == ["north", "south"]
    north = {k.removeprefix("site:north/") for k in keys if k.startswith("site:north/")}
    south = {k.removeprefix("site:south/") for k in keys if k.startswith("site:south/")}
    assert north == south and len(keys) == 2 * len(north) >= 2 * (len(PROFILES) - 1)
