"""`camaudit diff [AUDIT_A AUDIT_B]`: new, gone and changed devices and findings between two audits.

A device the later audit did not look at (outside a narrower scope) is "not re-audited", never "gone",
and its findings are not "resolved" (`store.diff`).
"""

from __future__ import annotations

import click
from rich.console import Console
from rich.markup import escape

from camaudit.cli.audits import heading, say_which
from camaudit.cli.register import db_option, register_errors
from camaudit.cli.render import cell, table_console, write_json
from camaudit.report.views.register import audit_json, diff_json
from camaudit.store import KINDS, SCAN, AuditDiff, AuditRecord, Reader, RegisterError, diff

DIFF_SCHEMA = "camaudit.diff/1"


def pair(reader: Reader, first: str | None, second: str | None, kind: str) -> tuple[AuditRecord, AuditRecord]:
    """Both given: first -> second. One given: its previous audit -> it. None: the last two finished
    audits of `kind`."""
    if first and second:
        return reader.audit(first), reader.audit(second)
    b = reader.audit(first, kind if first is None else None)
    previous = reader.previous(b)
    if previous is None:
        raise RegisterError(
            f"{b.kind} audit {b.id[:12]} has no earlier finished {b.kind} audit to compare with"
        )
    return previous, b


def audit_diff(reader: Reader, a: AuditRecord, b: AuditRecord) -> AuditDiff:
    return diff(a.id, reader.devices(a.id), b.id, reader.devices(b.id), b.scope if b.kind == SCAN else ())


def _line(mark: str, record_id: int, ip: str, maker: str | None, model: str | None) -> str:
    return f"  {mark} #{record_id} {cell(ip)} {cell(maker)} {cell(model)}"


def _print(change: AuditDiff, out: Console) -> None:
    for r in change.new:
        out.print(_line("+ new           ", r.id, r.device.ip, r.device.manufacturer, r.device.model))
    for r in change.gone:
        out.print(_line("- gone          ", r.id, r.device.ip, r.device.manufacturer, r.device.model))
    for c in change.changed:
        what = "; ".join(f"{x.field} {cell(x.before)} -> {cell(x.after)}" for x in c.changes)
        out.print(f"  ~ changed        #{c.record.id} {cell(c.record.device.ip)}: {what}")
    for f in change.new_findings:
        out.print(
            f"  + finding        {f.severity} {cell(f.check_id)} on #{f.record.id} {cell(f.record.device.ip)}"
        )
    for f in change.resolved_findings:
        out.print(
            f"  - resolved       {f.severity} {cell(f.check_id)} on #{f.record.id} {cell(f.record.device.ip)}"
        )
    if change.empty:
        out.print("  no change among the devices the later audit looked at")
    if change.not_reaudited:
        ips = ", ".join(cell(r.device.ip) for r in change.not_reaudited[:8])
        more = f" and {len(change.not_reaudited) - 8} more" if len(change.not_reaudited) > 8 else ""
        out.print(
            f"  = not re-audited: {len(change.not_reaudited)} device(s) outside the later audit's scope "
            f"({ips}{more}): neither gone nor fixed; their findings stand until an audit looks again"
        )


@click.command("diff")
@click.argument("audit_a", required=False)
@click.argument("audit_b", required=False)
@db_option
@click.option("--kind", type=click.Choice(KINDS), default=SCAN, show_default=True,
              help="Without audits named: the two latest finished audits of this kind.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def diff_command(audit_a: str | None, audit_b: str | None, db: str | None, kind: str, as_json: bool) -> None:
    """What changed between AUDIT_A and AUDIT_B (default: the two latest finished scan audits)."""
    with register_errors(), Reader(db) as reader:
        a, b = pair(reader, audit_a, audit_b, kind)
        change = audit_diff(reader, a, b)
        if not as_json:
            say_which(reader, b, db)
    if as_json:
        write_json(
            {"schema": DIFF_SCHEMA, "from": audit_json(a), "to": audit_json(b), **diff_json(change)}, "-"
        )
        return
    out = table_console()
    out.print(f"from {escape(heading(a))}", highlight=False, soft_wrap=True)
    out.print(f"to   {escape(heading(b))}", highlight=False, soft_wrap=True)
    _print(change, out)
