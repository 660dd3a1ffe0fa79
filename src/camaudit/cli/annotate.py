"""`camaudit annotate DEVICE --site … --status … --due …`: the fields people maintain."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from camaudit.cli.register import db_option, register_errors
from camaudit.report.views.register import user_json
from camaudit.store import DeviceStatus, Reader, Register


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | str | None:
    if value is None or value == "":
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.command()
@click.argument("device")
@db_option
@click.option("--site", help="Site name.")
@click.option("--location", help="Where on the site.")
@click.option("--owner", help="Who is responsible.")
@click.option("--purpose", help="What it watches or is for.")
@click.option("--notes", help="Free text.")
@click.option("--status", type=click.Choice([s.value for s in DeviceStatus]), help="Lifecycle status.")
@click.option("--due", callback=_date, help="Due date for the status (YYYY-MM-DD; '' clears).")
@click.option("--acquired", callback=_date, help="When it was bought (YYYY-MM-DD; '' clears).")
def annotate(device: str, db: str | None, **fields: object) -> None:
    """Set people's fields on DEVICE (its number, key, MAC, serial or address).

    A scan never overwrites these. An empty value ('') clears a field.
    """
    changes: dict[str, Any] = {k: (None if v == "" else v) for k, v in fields.items() if v is not None}
    if not changes:
        raise click.UsageError("give at least one field to set (--site, --status, --due …)")
    with register_errors():
        with Reader(db) as reader:
            device_id = reader.device_id(device)
        with Register(db) as register:
            user = register.annotate(device_id, **changes)
    shown = ", ".join(f"{k}={v}" for k, v in user_json(user).items() if v is not None)
    click.echo(f"device {device_id}: {shown}")
