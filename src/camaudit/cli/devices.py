"""`camaudit devices [--json]`: the devices of an audit (the latest full scan by default), filtered."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from camaudit.cli.audits import audit_options, chosen_audit, say_which
from camaudit.cli.filters import filter_options, make_filter
from camaudit.cli.register import db_option, register_errors
from camaudit.cli.render import cell, table_console, write_json
from camaudit.report.views.names import findings_phrase, made_by, type_name
from camaudit.report.views.register import audit_json, record_json
from camaudit.store import DeviceRecord, Reader

DEVICES_SCHEMA = "camaudit.devices/1"


def devices_table(records: list[DeviceRecord], title: str) -> Table:
    table = Table(title=title)
    for name in ("#", "address", "made by", "model", "firmware", "type", "findings", "site", "status", "due"):
        table.add_column(name, overflow="fold")
    for r in records:
        d, u = r.device, r.user
        phrase = findings_phrase(d.findings)
        table.add_row(
            str(r.id),
            cell(d.ip),
            cell(made_by(d)),
            cell(d.model),
            cell(d.firmware),
            cell(type_name(d.device_type) if d.device_type else None),
            "-" if phrase == "no findings" else cell(phrase),
            cell(u.site),
            u.status.value.replace("_", " "),
            cell(u.due),
        )
    return table


@click.command()
@db_option
@audit_options
@click.option("--all", "every", is_flag=True, help="Every device the register knows, as last seen.")
@filter_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the scan's device shape + 'register').")
def devices(
    db: str | None, audit_id: str | None, kind: str, every: bool, as_json: bool, **given: Any
) -> None:
    """List devices with their true manufacturer, label brand and people's fields.

    Filters narrow the list: --maker, --brand, --type, --site, and --severity/--kev/--check for devices
    with such a finding.
    """
    chosen = make_filter(given)
    with register_errors(), Reader(db) as reader:
        if every:
            records, audit = reader.register_devices(), None
        else:
            audit = chosen_audit(reader, audit_id, kind)
            records = reader.devices(audit.id)
            if not as_json:
                say_which(reader, audit, db)
    shown = [r for r in records if chosen.device(r)]
    if as_json:
        doc = {
            "schema": DEVICES_SCHEMA,
            "audit": audit_json(audit) if audit else None,
            "filter": chosen.describe() or None,
            "devices": [record_json(r) for r in shown],
        }
        write_json(doc, "-")
        return
    title = f"Devices in audit {audit.id[:12]}" if audit else "Every device in the register"
    if audit is not None and not audit.complete:
        title += " (PARTIAL)"
    if chosen.describe():
        title += f": {cell(chosen.describe())} ({len(shown)} of {len(records)})"
    table_console().print(devices_table(shown, title))
