"""`camaudit register import FILE.csv` / `export`: the register as an organisation's spreadsheet.

Also home of what every register command shares: the `--db` option and one-line register errors.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
import sqlalchemy as sa

from camaudit.cli.errors import shown
from camaudit.cli.render import plain
from camaudit.config import ConfigError, find_config
from camaudit.errors import InputError
from camaudit.report.register_import import apply_rows
from camaudit.report.spreadsheet import read_register_file, write_csv
from camaudit.store import Reader, Register, RegisterError, describe

F = TypeVar("F", bound=Callable[..., Any])
EXIT_USAGE = 2


def config_db(config_path: str | None = None) -> str | None:
    """`[register] db` of the config named (or of ./camaudit.toml); None when none says."""
    config = find_config(config_path)
    return config.register_db if config is not None else None


def _db_default(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """--db, else $CAMAUDIT_DB (click reads it), else ./camaudit.toml's [register] db, else None."""
    if value:
        return value
    try:
        return config_db()
    except ConfigError as exc:
        raise click.BadParameter(f"{exc}", param_hint="camaudit.toml") from None


def db_option(function: F) -> F:
    """`--db FILE|URL`: every command that reads or writes the register takes it."""
    option = click.option(
        "--db",
        metavar="FILE|URL",
        envvar="CAMAUDIT_DB",
        show_envvar=True,
        callback=_db_default,
        help="The register: a SQLite file or a SQLAlchemy URL (else camaudit.toml's [register] db, "
        "else the user data directory).",
    )
    return option(function)


def db_with_config(db: str | None, config_path: str | None) -> str | None:
    """The register of a command that also takes --config: that file's [register] db when --db,
    $CAMAUDIT_DB and ./camaudit.toml named none."""
    if db is not None or not config_path:
        return db
    return config_db(config_path)


@contextmanager
def register_errors() -> Iterator[None]:
    """A register problem is one line on stderr and exit 2, never a traceback."""
    try:
        yield
    except (RegisterError, InputError) as exc:
        click.echo(f"camaudit: error: {shown(exc)}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    except sa.exc.SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc  # the driver's own message, without the SQL
        click.echo(f"camaudit: register error: {str(cause).splitlines()[0][:200]}", err=True)
        raise SystemExit(1) from None


@click.group()
def register() -> None:
    """Exchange the register with a spreadsheet (CSV)."""


@register.command("export")
@db_option
@click.option("-o", "--output", default="-", metavar="FILE|-", help="Where to write the CSV ('-': stdout).")
def export(db: str | None, output: str) -> None:
    """Write every device the register knows, with its people's fields, as CSV."""
    with register_errors(), Reader(db) as reader:
        records = reader.register_devices()
    if output == "-":
        write_csv(records, sys.stdout)
        return
    with Path(output).open("w", encoding="utf-8", newline="") as stream:
        count = write_csv(records, stream)
    click.echo(f"wrote {count} device(s) to {output}", err=True)


@register.command("import")
@db_option
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
def import_(db: str | None, file: str) -> None:
    """Read site, location, owner, purpose, notes, status, due and acquired from a CSV register.

    Rows are matched by id, key, MAC, serial or address; unknown devices are added. Scanner fields in the
    file are ignored: only a scan writes those. Rows that cannot be read are listed and the others are
    applied; the exit status is then 1.
    """
    with register_errors(), Register(db) as register, Reader(db) as reader:
        summary = apply_rows(register, reader, read_register_file(file), by="csv")
    problems = summary.problems
    for problem in problems:
        click.echo(f"{plain(file)}:{problem.line}: {plain(problem.reason)}", err=True)
    counts = summary.counts()
    click.echo(
        f"{counts['updated']} device(s) updated, {counts['added']} added, {counts['unchanged']} unchanged, "
        f"{len(problems)} row(s) rejected in {describe(db)}"
    )
    if problems:
        raise SystemExit(1)
