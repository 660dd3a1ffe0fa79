"""Where the register lives and how it is opened: WAL writer, read-only readers with a time limit."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from camaudit.store import Reader, Register, RegisterError, default_path, describe, register_url
from camaudit.store.engine import HEAD, current_revision, reader_engine


def test_default_path_follows_xdg_then_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_path() == tmp_path / "xdg" / "camaudit" / "register.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_path() == tmp_path / "home" / ".local" / "share" / "camaudit" / "register.sqlite"


def test_a_path_or_a_url_chooses_the_backend(tmp_path: Path) -> None:
    assert register_url(tmp_path / "r.sqlite") == f"sqlite:///{tmp_path / 'r.sqlite'}"
    url = "postgresql+psycopg://audit:s3cret@127.0.0.1:5432/camaudit"
    assert register_url(url) == url
    assert "s3cret" not in describe(url)
    assert describe(tmp_path / "r.sqlite") == str(tmp_path / "r.sqlite")


def test_the_writer_creates_the_file_in_wal_mode_at_the_newest_schema(db: Path) -> None:
    with Register(db) as register, register.engine.connect() as conn:
        assert current_revision(conn) == HEAD
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_default_register_is_created_in_the_data_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    Register().close()
    assert (tmp_path / "camaudit" / "register.sqlite").is_file()


def test_readers_cannot_write(register: Register, db: Path) -> None:
    with (
        Reader(db) as reader,
        reader.engine.connect() as conn,
        pytest.raises(sa.exc.OperationalError) as caught,
    ):
        conn.exec_driver_sql("INSERT INTO audits VALUES ('x', '2026-01-01', NULL, '[]', '{}', '')")
    assert "readonly" in str(caught.value).replace(" ", "").lower()


def test_a_reader_never_creates_a_register(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match="no register"):
        Reader(tmp_path / "missing.sqlite")
    assert not (tmp_path / "missing.sqlite").exists()


def test_a_slow_read_is_interrupted_at_its_time_limit(register: Register, db: Path) -> None:
    engine = reader_engine(db, seconds=0.2)
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    with engine.connect() as conn, pytest.raises(sa.exc.OperationalError, match="interrupted"):
        conn.exec_driver_sql(endless)
    with engine.connect() as conn:  # the limit is per statement: the next one runs
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()


def test_a_register_from_a_newer_camaudit_is_refused(register: Register, db: Path) -> None:
    with register.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(RegisterError, match="newer"):
        Register(db)


def _beside(db: Path) -> set[str]:
    return {p.name for p in db.parent.iterdir()} - {db.name}


def _corrupt(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page: "database disk image is malformed"
    db.write_bytes(bytes(data))


def test_a_reader_of_a_closed_register_leaves_nothing_beside_it(db: Path) -> None:
    Register(db).close()
    assert _beside(db) == set()
    with Reader(db) as reader, reader.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM audits").scalar() == 0
    assert _beside(db) == set()  # no -wal, no -shm: a read changes nothing on disk


@pytest.mark.parametrize("damage", ["malformed", "not a database", "truncated"])
def test_a_reader_of_a_corrupt_register_fails_cleanly_and_creates_nothing(db: Path, damage: str) -> None:
    Register(db).close()
    if damage == "malformed":
        _corrupt(db)
    elif damage == "not a database":
        db.write_bytes(b"not a database, just bytes " * 200)
    else:
        db.write_bytes(db.read_bytes()[:5000])
    with pytest.raises(RegisterError):
        Reader(db)
    assert _beside(db) == set()


def test_a_read_only_register_is_read_without_files_beside_it(db: Path) -> None:
    Register(db).close()
    db.chmod(0o444)
    db.parent.chmod(0o555)
    try:
        with Reader(db) as reader, reader.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM audits").scalar() == 0
        assert _beside(db) == set()
    finally:
        db.parent.chmod(0o755)


def test_a_reader_beside_an_open_writer_sees_what_it_committed(register: Register, db: Path) -> None:
    with register.engine.begin() as conn:  # committed into the -wal, not yet checkpointed
        conn.exec_driver_sql("INSERT INTO audits VALUES ('a1', '2026-01-01', NULL, '[]', '{}', '')")
    assert (db.parent / f"{db.name}-wal").exists()
    with Reader(db) as reader, reader.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT id FROM audits").scalars().all() == ["a1"]
