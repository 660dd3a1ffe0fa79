"""`camaudit findings [--json]`: the findings of an audit (the latest full scan by default), worst first,
one line per check with the devices it was found on (`--each`: one row per finding)."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from camaudit.cli.audits import audit_options, chosen_audit, say_which
from camaudit.cli.filters import filter_options, make_filter
from camaudit.cli.outputs import EXIT_FINDINGS, at_or_above, fail_on_option
from camaudit.cli.register import db_option, register_errors
from camaudit.cli.render import cell, table_console, write_json
from camaudit.model import Finding, Severity
from camaudit.report.views.findings import Affected, addresses, by_check
from camaudit.report.views.register import audit_json, finding_json
from camaudit.store import DeviceRecord, Reader

FINDINGS_SCHEMA = "camaudit.findings/1"
_ORDER = {s: i for i, s in enumerate(Severity)}


def groups_table(groups: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title)
    for name in ("severity", "check", "title", "CVSS", "fixed in", "devices"):
        table.add_column(name, overflow="fold")
    for g in groups:
        marks = [m for m, on in (("KEV", g["kev"]), (f"{g['verified']} verified", g["verified"])) if on]
        severity = "undetermined" if g["undetermined"] else g["severity"]
        check = cell(g["check_id"]) + (f" ({', '.join(marks)})" if marks else "")
        devices = f"{g['count']}: {addresses(g)}"
        table.add_row(severity, check, cell(g["title"]), cell(g["cvss"]), cell(g["fixed"]), cell(devices))
    return table


def each_table(found: list[tuple[DeviceRecord, Finding]], title: str) -> Table:
    table = Table(title=title)
    for name in ("severity", "check", "device", "status", "verified", "title"):
        table.add_column(name, overflow="fold")
    for record, f in found:
        table.add_row(f.severity.value, cell(f.check_id), f"{record.id} {cell(record.device.ip)}",
                      cell(f.status), "yes" if f.verified else "no", cell(f.title))  # fmt: skip
    return table


@click.command()
@db_option
@audit_options
@filter_options
@click.option("--each", is_flag=True, help="One row per finding instead of one per check.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (every finding, and the groups by check).")
@fail_on_option
def findings(
    db: str | None,
    audit_id: str | None,
    kind: str,
    each: bool,
    as_json: bool,
    fail_on: str | None,
    **given: Any,
) -> None:
    """List findings (vulnerabilities, exposure, egress, policy …), grouped by check with their devices."""
    chosen = make_filter(given)
    with register_errors(), Reader(db) as reader:
        audit = chosen_audit(reader, audit_id, kind)
        found = [(r, f) for r, f in reader.findings(audit.id) if chosen.device(r) and chosen.finding(f)]
        if not as_json:
            say_which(reader, audit, db)
    found.sort(key=lambda rf: (_ORDER[rf[1].severity], rf[1].check_id, rf[0].id))
    groups = by_check(Affected(r.device, f, r.id) for r, f in found)
    if as_json:
        doc = {
            "schema": FINDINGS_SCHEMA,
            "audit": audit_json(audit),
            "filter": chosen.describe() or None,
            "findings": [finding_json(r, f) for r, f in found],
            "by_check": groups,
        }
        write_json(doc, "-")
    else:
        partial = " (PARTIAL)" if not audit.complete else ""
        narrowed = f": {cell(chosen.describe())}" if chosen.describe() else ""
        title = f"Findings in audit {audit.id[:12]}{partial}{narrowed} ({len(found)} on "
        title += f"{len({r.id for r, _ in found})} devices, {len(groups)} checks)"
        table = each_table(found, title) if each else groups_table(groups, title)
        table_console().print(table)
    if fail_on and at_or_above((f for _, f in found), fail_on):
        raise SystemExit(EXIT_FINDINGS)
