"""`camaudit audits`: the register's audits, and how every register command chooses and names one.

Commands that show one audit (`devices`, `findings`, `diff`, `report`) take `--audit ID` or `--kind`
(default: the latest finished active scan, "full" as opposed to a traffic capture), say which audit they
show, mark a partial one as such with the command that finishes it, and mention a newer unfinished
audit instead of silently skipping it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from camaudit.cli.register import db_option, register_errors
from camaudit.cli.render import cell, table_console, write_json
from camaudit.cli.scan_output import resume_command
from camaudit.report.views.register import audit_json, progress_text, scope_text, when
from camaudit.store import KINDS, SCAN, AuditRecord, Reader

F = TypeVar("F", bound=Callable[..., Any])
AUDITS_SCHEMA = "camaudit.audits/1"


def audit_options(function: F) -> F:
    """`--audit ID` and `--kind scan|traffic`: which audit a command shows."""
    function = click.option(
        "--kind",
        type=click.Choice(KINDS),
        default=SCAN,
        show_default=True,
        help="Without --audit: the latest finished audit of this kind (scan: active; traffic: captures).",
    )(function)
    option = click.option(
        "--audit", "audit_id", metavar="ID", help="Which audit (an id or unique prefix; default: see --kind)."
    )
    return option(function)


def chosen_audit(reader: Reader, audit_id: str | None, kind: str) -> AuditRecord:
    """The audit asked for; with none, the latest finished of `kind`, else its latest partial one."""
    return reader.audit(audit_id, kind if audit_id is None else None, partial=True)


def heading(audit: AuditRecord) -> str:
    """``scan audit 1a2b3c4d5e6f (127.42.0.0/24 (254 addresses)), started …, finished …``."""
    return (
        f"{audit.kind} audit {audit.id[:12]} ({scope_text(audit)}), started {when(audit.started)}, "
        f"{progress_text(audit)}"
    )


def say_which(reader: Reader, audit: AuditRecord, db: str | None, err: Console | None = None) -> None:
    """On stderr: which audit is shown, whether it is partial, and any newer unfinished audit."""
    err = err or Console(stderr=True)
    err.print(f"showing {escape(heading(audit))}", highlight=False, soft_wrap=True)
    if not audit.complete:
        err.print(
            "[bold]PARTIAL[/]: this audit was stopped; what it shows covers only the hosts it finished. "
            f"Finish it with: {escape(resume_command(audit.id, db))}",
            highlight=False,
            soft_wrap=True,
        )
        return
    newer = reader.newer_partial(audit)
    if newer is not None:
        err.print(
            f"note: a newer {newer.kind} audit {newer.id[:12]} is unfinished ({progress_text(newer)}): "
            f"--audit {newer.id[:12]} shows it",
            highlight=False,
            soft_wrap=True,
        )


def audits_table(audits: list[AuditRecord]) -> Table:
    table = Table(title=f"Audits in the register ({len(audits)})")
    for name in ("audit", "kind", "scope", "started", "finished", "devices"):
        table.add_column(name, overflow="fold")
    for a in audits:
        finished = when(a.finished) if a.complete else f"partial ({a.hosts_done} of {len(a.scope)} hosts)"
        table.add_row(a.id[:12], a.kind, cell(scope_text(a)), when(a.started), finished, str(a.devices))
    return table


@click.command()
@db_option
@click.option("--kind", type=click.Choice(KINDS), help="Only audits of this kind.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def audits(db: str | None, kind: str | None, as_json: bool) -> None:
    """List the register's audits: id, kind, scope, started, finished or partial, devices."""
    with register_errors(), Reader(db) as reader:
        found = reader.audits(kind)
    if as_json:
        write_json({"schema": AUDITS_SCHEMA, "audits": [audit_json(a) for a in found]}, "-")
        return
    table_console().print(audits_table(found))
