"""Where the register lives and how it is opened: one writer, read-only readers (STYLE.md R12).

- The register is a path (SQLite, the default: `$XDG_DATA_HOME/camaudit/register.sqlite`) or a SQLAlchemy
  URL (``postgresql+psycopg://…`` when several sites report into one place), chosen by scheme.
- SQLite runs in WAL mode so readers never block the writer; a write transaction starts with
  ``BEGIN IMMEDIATE`` so two writers queue on the lock instead of failing halfway (datasette's
  `_execute_writes` does the same).
- Readers open the file read-only (``mode=ro`` and ``PRAGMA query_only``) and every statement has a time
  limit (datasette's `sqlite_timelimit`: a progress handler that interrupts a slow query). A read leaves
  nothing beside the file: with no ``-wal`` there (no writer has it open, and the last one checkpointed
  everything it committed into the file) the file is opened ``immutable``, since even a ``mode=ro``
  connection creates ``-wal`` and ``-shm`` in a WAL database's folder and cannot remove them; with a
  ``-wal`` there, ``mode=ro`` reads it too (and the files it uses are already there).
- Migrations (Alembic, shipped in `store/migrations`) run only through the writer.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from camaudit.errors import CamauditError

HEAD = "0007"
READ_TIME_LIMIT = 5.0  # seconds per statement for readers (reports, dashboards)
BUSY_TIMEOUT_MS = 30_000  # a second writer waits this long for the lock


class RegisterError(CamauditError):
    """The register cannot be opened, is newer than this camaudit, or a read took too long."""


def default_path() -> Path:
    """`$XDG_DATA_HOME/camaudit/register.sqlite`, else `~/.local/share/camaudit/register.sqlite`."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "camaudit" / "register.sqlite"


def is_url(db: str) -> bool:
    return "://" in db


def register_url(db: str | Path | None) -> str:
    """A path (or None for the default path) becomes a SQLite URL; a URL is kept as given."""
    if db is not None and is_url(str(db)):
        return str(db)
    path = Path(db) if db is not None else default_path()
    return f"sqlite:///{path.expanduser().resolve()}"


def describe(db: str | Path | None) -> str:
    """For messages: the path, or the URL without its password."""
    url = sa.make_url(register_url(db))
    return (
        url.database or "" if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)
    )


def _on_sqlite_write_connect(dbapi: sqlite3.Connection, _record: Any) -> None:
    dbapi.isolation_level = None  # SQLAlchemy's "begin" event below issues BEGIN IMMEDIATE itself
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        "synchronous=NORMAL",
        f"busy_timeout={BUSY_TIMEOUT_MS}",
    ):
        dbapi.execute(f"PRAGMA {pragma}")


def _sqlite_writer(url: sa.URL) -> sa.Engine:
    path = Path(url.database or "")
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, pool_size=1, max_overflow=0, connect_args={"check_same_thread": False})
    sa.event.listen(engine, "connect", _on_sqlite_write_connect)
    sa.event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


def writer_engine(db: str | Path | None) -> sa.Engine:
    """The one write engine for this process; migrates the register to the newest schema."""
    url = sa.make_url(register_url(db))
    if url.get_backend_name() == "sqlite":
        engine = _sqlite_writer(url)
    else:
        engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    try:
        upgrade(engine)
    except Exception:
        engine.dispose()
        raise
    return engine


def _alembic_config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", "camaudit.store:migrations")
    config.attributes["connection"] = connection
    return config


def current_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, target: str = "head") -> None:
    """Run every migration step not yet applied, each in its own transaction."""
    with engine.connect() as connection:
        _refuse_newer(connection)
        command.upgrade(_alembic_config(connection), target)
        connection.commit()


def _refuse_newer(connection: sa.Connection) -> None:
    revision = current_revision(connection)
    known = {s.revision for s in ScriptDirectory.from_config(_alembic_config(connection)).walk_revisions()}
    if revision is not None and revision not in known:
        raise RegisterError(f"the register has schema {revision}, newer than this camaudit knows ({HEAD})")


def _time_limit(dbapi: sqlite3.Connection, seconds: float) -> None:
    deadline = [time.monotonic() + seconds]

    def handler() -> int:
        return 1 if time.monotonic() > deadline[0] else 0  # non-zero interrupts the statement

    def reset(*_args: Any) -> None:
        deadline[0] = time.monotonic() + seconds

    dbapi.set_progress_handler(handler, 1000)
    dbapi.set_trace_callback(reset)  # called as each statement starts: the limit is per statement


def _sqlite_reader(url: sa.URL, seconds: float) -> sa.Engine:
    path = Path(url.database or "")
    if not path.is_file():
        raise RegisterError(f"no register at {path} (run 'camaudit scan --db {path}' first)")
    wal = path.with_name(f"{path.name}-wal")

    def connect() -> sqlite3.Connection:
        # Decided per connection: a writer that opened the file since the last one is seen by its -wal.
        mode = "ro" if wal.exists() else "ro&immutable=1"
        dbapi = sqlite3.connect(f"file:{quote(str(path))}?mode={mode}", uri=True, check_same_thread=False)
        dbapi.execute("PRAGMA query_only=1")
        _time_limit(dbapi, seconds)
        return dbapi

    return sa.create_engine("sqlite://", creator=connect, poolclass=sa.NullPool)


def reader_engine(db: str | Path | None, seconds: float = READ_TIME_LIMIT) -> sa.Engine:
    """A read-only engine; an older register is migrated first, through a short-lived writer."""
    url = sa.make_url(register_url(db))
    if url.get_backend_name() == "sqlite":
        engine = _sqlite_reader(url, seconds)
    else:
        options = f"-c default_transaction_read_only=on -c statement_timeout={int(seconds * 1000)}"
        engine = sa.create_engine(url, poolclass=sa.NullPool, connect_args={"options": options})
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
    except sa.exc.DatabaseError as exc:
        engine.dispose()
        cause = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        raise RegisterError(f"the register {describe(db)} cannot be read: {cause}") from None
    if revision != HEAD:
        writer_engine(db).dispose()
    return engine
