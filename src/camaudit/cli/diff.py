"""`camaudit diff [AUDIT_A AUDIT_B]`: new, gone and changed devices and findings between two audits."""

from __future__ import annotations

import click
from rich.console import Console

from camaudit.cli.register import db_option, register_errors
from camaudit.cli.render import cell, table_console, write_json
from camaudit.report.views.register import diff_json
from camaudit.store import AuditDiff, Reader, RegisterError, diff

DIFF_SCHEMA = "camaudit.diff/1"


def audit_diff(reader: Reader, first: str | None, second: str | None) -> AuditDiff:
    """Both given: first -> second. One given: its previous audit -> it. None: the last two finished."""
    if first and second:
        a, b = reader.audit(first), reader.audit(second)
    else:
        b = reader.audit(first)
        previous = reader.previous(b)
        if previous is None:
            raise RegisterError(f"audit {b.id} has no earlier finished audit to compare with")
        a = previous
    return diff(a.id, reader.devices(a.id), b.id, reader.devices(b.id))


def _print(change: AuditDiff, out: Console) -> None:
    out.print(f"audit {change.before[:12]} -> {change.after[:12]}")
    for r in change.new:
        out.print(
            f"  + new     #{r.id} {cell(r.device.ip)} {cell(r.device.manufacturer)} {cell(r.device.model)}"
        )
    for r in change.gone:
        out.print(
            f"  - gone    #{r.id} {cell(r.device.ip)} {cell(r.device.manufacturer)} {cell(r.device.model)}"
        )
    for c in change.changed:
        what = "; ".join(f"{x.field} {cell(x.before)} -> {cell(x.after)}" for x in c.changes)
        out.print(f"  ~ changed #{c.record.id} {cell(c.record.device.ip)}: {what}")
    for f in change.new_findings:
        out.print(f"  + finding {f.severity} {cell(f.check_id)} on #{f.record.id} {cell(f.record.device.ip)}")
    for f in change.resolved_findings:
        out.print(f"  - finding {f.severity} {cell(f.check_id)} on #{f.record.id} (resolved)")
    if change.empty:
        out.print("  no change")


@click.command("diff")
@click.argument("audit_a", required=False)
@click.argument("audit_b", required=False)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def diff_command(audit_a: str | None, audit_b: str | None, db: str | None, as_json: bool) -> None:
    """What changed between AUDIT_A and AUDIT_B (default: the two latest finished audits)."""
    with register_errors(), Reader(db) as reader:
        change = audit_diff(reader, audit_a, audit_b)
    if as_json:
        write_json({"schema": DIFF_SCHEMA, **diff_json(change)}, "-")
        return
    _print(change, table_console())
