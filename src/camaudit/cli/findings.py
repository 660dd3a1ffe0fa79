"""`camaudit findings [--json]`: every finding of an audit (the latest by default), worst first."""

from __future__ import annotations

import click
from rich.table import Table

from camaudit.cli.register import db_option, register_errors
from camaudit.cli.render import cell, table_console, write_json
from camaudit.model import Severity
from camaudit.report.views.register import audit_json, finding_json
from camaudit.store import Reader

FINDINGS_SCHEMA = "camaudit.findings/1"
_ORDER = {s: i for i, s in enumerate(Severity)}


@click.command()
@db_option
@click.option(
    "--audit", "audit_id", metavar="ID", help="Which audit (an id or unique prefix; default: latest)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def findings(db: str | None, audit_id: str | None, as_json: bool) -> None:
    """List findings (vulnerabilities, exposure, egress, policy …) with their device."""
    with register_errors(), Reader(db) as reader:
        audit = reader.audit(audit_id)
        found = sorted(reader.findings(audit.id), key=lambda rf: (_ORDER[rf[1].severity], rf[1].check_id))
    if as_json:
        doc = {
            "schema": FINDINGS_SCHEMA,
            "audit": audit_json(audit),
            "findings": [finding_json(r, f) for r, f in found],
        }
        write_json(doc, "-")
        return
    table = Table(title=f"Findings in audit {audit.id[:12]} ({len(found)})")
    for name in ("severity", "check", "device", "status", "verified", "title"):
        table.add_column(name, overflow="fold")
    for record, f in found:
        table.add_row(
            f.severity.value,
            cell(f.check_id),
            f"{record.id} {cell(record.device.ip)}",
            cell(f.status),
            "yes" if f.verified else "no",
            cell(f.title),
        )
    table_console().print(table)
