"""A site's scanner reports into a central register on PostgreSQL: spooled while the server is away,
drained when it is back, nothing lost or doubled, no credential sent, another site's token refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.store.conftest import audit, hik, observation, postgres_url  # noqa: F401 (fixture)
from tests.web.serving import free_port, serving

from camaudit.pipeline.central import Reporter, ReportError, check_url, read_token
from camaudit.store import Reader, Register
from camaudit.store.accounts import Accounts
from camaudit.web import auth, create_app

SECRET = "hunter2-do-not-send"


@pytest.fixture
def central(postgres_url: str) -> Iterator[str]:  # noqa: F811
    admin = sa.create_engine(postgres_url)
    with admin.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    admin.dispose()
    yield postgres_url


def _token(db: str, site: str) -> str:
    token = auth.new_token()
    with Register(db) as register:
        Accounts(register.engine).add_token(site, "write", site, auth.token_hash(token), "test")
    return token


def _report(reporter: Reporter, audit_id: str, hosts: int) -> None:
    started = replace(audit(audit_id, scope=tuple(f"127.8.0.{i}" for i in range(1, hosts + 1))),
                      options={"rate": 10.0, "password": SECRET, "credentials_file": SECRET})  # fmt: skip
    reporter.begin(started)
    devices = [hik(f"127.8.0.{i}", serial=f"S{i}") for i in range(1, hosts + 1)]
    for d in devices:
        reporter.host(audit_id, d.ip, [observation(d.ip)], [], [d])
    reporter.finish(replace(started, finished=started.started), devices)


def test_spooled_while_away_drained_when_back_exactly_once(central: str, tmp_path: Path) -> None:
    token = _token(central, "HQ")
    port = free_port()
    reporter = Reporter(f"http://127.0.0.1:{port}", "HQ", token, tmp_path / "spool", timeout=2)
    _report(reporter, "e" * 32, 12)
    assert reporter.pending() == 14  # nobody listening: all kept
    spooled = "".join(p.read_text() for p in (tmp_path / "spool").glob("*.json"))
    assert SECRET not in spooled and token not in spooled
    app = create_app(central, policy=None)
    try:
        with serving(app, port):
            assert reporter.close(wait=30) == 0
        # The same messages again (a reply lost after the write): nothing doubles.
        again = Reporter(f"http://127.0.0.1:{port}", "HQ", token, tmp_path / "spool2", timeout=2)
        _report(again, "e" * 32, 12)
        with serving(app, port):
            assert again.close(wait=30) == 0
    finally:
        app.state.web.close()
    with Reader(central) as reader:
        assert len(reader.recorded_hosts("e" * 32)) == 12
        assert len(reader.observations("e" * 32)) == 12
        assert len(reader.devices("e" * 32)) == 12 and reader.audit("e" * 32).complete
        assert dict(reader.audit().options["sites"]) == {"HQ": "e" * 32}  # the estate the server made
        assert SECRET not in json.dumps(dict(reader.audit("e" * 32).options))


def test_a_token_for_another_site_is_refused_and_kept_aside(central: str, tmp_path: Path) -> None:
    depot = _token(central, "Depot")
    app = create_app(central, policy=None)
    port = free_port()
    try:
        with serving(app, port) as url:
            reporter = Reporter(url, "HQ", depot, tmp_path / "spool", timeout=2)
            _report(reporter, "f" * 32, 2)
            assert reporter.close(wait=20) == 0
    finally:
        app.state.web.close()
    assert reporter.stats.rejected == 4 and reporter.stats.sent == 0
    assert len(list((tmp_path / "spool" / "rejected").glob("*.json"))) == 4
    with Reader(central) as reader:
        assert reader.audits() == []


def test_bad_addresses_and_token_files_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="http"):
        check_url("ftp://central")
    (tmp_path / "t").write_text("\n")
    with pytest.raises(ReportError, match="first line"):
        read_token(str(tmp_path / "t"))
    (tmp_path / "t").write_text("cat_abc\nignored\n")
    assert read_token(str(tmp_path / "t")) == "cat_abc"
