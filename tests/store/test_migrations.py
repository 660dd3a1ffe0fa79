"""Migrations: audit-v1.sqlite (made by schema 0001, kept forever) moves forward with nothing lost, and the
migrations produce exactly the tables `store/schema.py` describes (on SQLite, and on PostgreSQL if present).
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from camaudit.model import Evidence
from camaudit.store import DeviceStatus, Reader, Register, diff
from camaudit.store.engine import HEAD, current_revision
from camaudit.store.schema import METADATA

V1 = Path(__file__).parent / "data" / "audit-v1.sqlite"
A, B = "a" * 32, "b" * 32


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    copy = tmp_path / "audit-v1.sqlite"
    shutil.copyfile(V1, copy)  # the kept file is never written
    return copy


def _revision(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def test_the_kept_file_is_schema_one() -> None:
    assert _revision(V1) == "0001"


def test_v1_migrates_forward_keeping_audits_devices_and_peoples_fields(v1: Path) -> None:
    Register(v1).close()
    assert _revision(v1) == HEAD
    with Reader(v1) as reader:
        assert [a.id for a in reader.audits()] == [A, B]
        devices = {r.key: r for r in reader.devices(B)}
    assert len(devices) == 3
    lorex = devices["ip:127.1.0.2"]
    assert (lorex.device.brand, lorex.device.manufacturer) == ("lorex", "dahua")
    assert (lorex.user.site, lorex.user.location, lorex.user.owner) == ("HQ", "car park", "facilities")
    assert (lorex.user.status, lorex.user.due, lorex.user.acquired) == (
        DeviceStatus.TO_REPLACE,
        date(2027, 3, 31),
        None,
    )
    assert devices["ip:127.1.0.3"].device.model == "<script>alert(1)</script>"
    cam = devices["serial:DS-2CD2347G2-LU20230101AAWRJ12345678"]
    assert [(f.check_id, f.details["kev"]) for f in cam.device.findings] == [("cve-2017-7921", "true")]


def test_v1_history_and_diff_survive_the_migration(v1: Path) -> None:
    with Reader(v1) as reader:  # a reader migrates an old register through a short-lived writer
        cam = reader.device_id("serial:DS-2CD2347G2-LU20230101AAWRJ12345678")
        history = reader.history(cam)
        change = diff(A, reader.devices(A), B, reader.devices(B))
        observations = reader.observations(B)
    assert [h.changes for h in history] == [
        ("first seen",),
        ("firmware V5.7.3 build 220112 -> V5.7.15 build 230626",),
    ]
    assert [c.record.id for c in change.changed] == [cam]
    assert [r.key for r in change.new + change.gone] == []
    assert [f.check_id for f in change.new_findings] == ["cve-2017-7921"]
    assert observations[0].raw.endswith(b"<script>alert(1)</script>")


def test_migration_two_seeds_each_devices_status_history(v1: Path) -> None:
    with Reader(v1) as reader:
        lorex = reader.device_id("ip:127.1.0.2")
        changes = reader.status_history(lorex)
    assert [(c.status, c.due) for c in changes] == [(DeviceStatus.TO_REPLACE, date(2027, 3, 31))]


def test_a_migrated_register_takes_new_audits(v1: Path) -> None:
    from tests.store.conftest import hik, record_audit

    with Register(v1) as register:
        cam = hik("127.1.0.1", firmware="V5.8.0 build 240101", serial="DS-2CD2347G2-LU20230101AAWRJ12345678")
        record_audit(register, "c" * 32, [cam], days=30)
    with Reader(v1) as reader:
        assert reader.audit().id == "c" * 32
        assert reader.history(1)[-1].changes == ("firmware V5.7.15 build 230626 -> V5.8.0 build 240101",)


def _schema_drift(engine: sa.Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), METADATA))


def test_migrations_build_exactly_the_declared_schema(db: Path, v1: Path) -> None:
    for path in (db, v1):
        with Register(path) as register:
            assert _schema_drift(register.engine) == []


def test_the_same_migrations_run_on_postgresql(postgres_url: str) -> None:
    from tests.store.conftest import finding, hik, record_audit

    url = postgres_url
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    admin.dispose()
    with Register(url) as register:
        assert _schema_drift(register.engine) == []
        with register.engine.connect() as conn:
            assert current_revision(conn) == HEAD
        record_audit(register, "p" * 32, [hik(findings=(finding(),))])
    with Reader(url) as reader:
        [record] = reader.devices("p" * 32)
    assert record.device.findings[0].details["kev"] == "true"


V2 = Path(__file__).parent / "data" / "audit-v2.sqlite"


@pytest.fixture
def v2(tmp_path: Path) -> Path:
    copy = tmp_path / "audit-v2.sqlite"
    shutil.copyfile(V2, copy)  # the kept file is never written
    return copy


def test_the_kept_v2_file_is_schema_two() -> None:
    assert _revision(V2) == "0002"


def test_v2_devices_and_findings_move_to_the_model_codec_keeping_all_they_held(v2: Path) -> None:
    from tests.store.data.make_audit_v2 import CVE, EXPOSURE, GUESS, HIK, SCAN, TRAFFIC

    with Reader(v2) as reader:
        assert [a.id for a in reader.audits()] == [SCAN, TRAFFIC]
        devices = {r.device.ip: r for r in reader.devices(SCAN)}
        [seen] = reader.devices(TRAFFIC)
        observations, attempts = reader.observations(SCAN), reader.attempts(SCAN)
    assert _revision(v2) == HEAD
    hik, guess = devices["127.2.0.1"].device, devices["127.2.0.2"].device

    def as_stored(ev: Evidence) -> Evidence:
        # Schema 2 kept the evidence rounded and without its address: exactly that comes back.
        return replace(ev, ip=None, confidence=round(ev.confidence, 3))

    assert hik == replace(
        HIK,
        evidence=tuple(as_stored(e) for e in HIK.evidence),
        findings=tuple(replace(f, evidence=tuple(as_stored(e) for e in f.evidence)) for f in (CVE, EXPOSURE)),
    )
    assert guess == replace(GUESS, evidence=tuple(as_stored(e) for e in GUESS.evidence))
    assert devices["127.2.0.1"].user.site == "HQ" and devices["127.2.0.1"].key == HIK.key
    assert [f.check_id for f in seen.device.findings] == ["egress-vendor-cloud"]
    assert observations[0].raw.endswith(b"\x00\xff") and attempts[0].duration_ms == 1500.5


def test_a_v2_register_takes_new_audits_in_the_new_shape(v2: Path) -> None:
    from tests.store.conftest import finding, hik, record_audit

    cam = hik("127.2.0.5", findings=(finding(),))
    with Register(v2) as register:
        record_audit(register, "f" * 32, [cam], days=60)
    with Reader(v2) as reader:
        [record] = reader.devices("f" * 32)
    assert record.device == cam
