"""`camaudit devices [--json]`: the devices of an audit (the latest by default), from the register."""

from __future__ import annotations

import click
from rich.table import Table

from camaudit.cli.register import db_option, register_errors
from camaudit.cli.render import cell, table_console, write_json
from camaudit.report.views.register import audit_json, record_json
from camaudit.store import DeviceRecord, Reader

DEVICES_SCHEMA = "camaudit.devices/1"


def devices_table(records: list[DeviceRecord], title: str) -> Table:
    table = Table(title=title)
    for name in (
        "#",
        "address",
        "brand",
        "manufacturer",
        "model",
        "firmware",
        "type",
        "site",
        "status",
        "due",
    ):
        table.add_column(name, overflow="fold")
    for r in records:
        d, u = r.device, r.user
        table.add_row(
            str(r.id),
            cell(d.ip),
            cell(d.brand),
            cell(d.manufacturer),
            cell(d.model),
            cell(d.firmware),
            cell(d.device_type),
            cell(u.site),
            u.status.value.replace("_", " "),
            cell(u.due),
        )
    return table


@click.command()
@db_option
@click.option(
    "--audit", "audit_id", metavar="ID", help="Which audit (an id or unique prefix; default: latest)."
)
@click.option("--all", "every", is_flag=True, help="Every device the register knows, as last seen.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the scan's device shape + 'register').")
def devices(db: str | None, audit_id: str | None, every: bool, as_json: bool) -> None:
    """List devices with their true manufacturer, label brand and people's fields."""
    with register_errors(), Reader(db) as reader:
        if every:
            records, audit = reader.register_devices(), None
        else:
            audit = reader.audit(audit_id)
            records = reader.devices(audit.id)
    if as_json:
        doc = {
            "schema": DEVICES_SCHEMA,
            "audit": audit_json(audit) if audit else None,
            "devices": [record_json(r) for r in records],
        }
        write_json(doc, "-")
        return
    title = f"Devices in audit {audit.id[:12]}" if audit else "Every device in the register"
    table_console().print(devices_table(records, title))
