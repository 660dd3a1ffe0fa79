"""`camaudit plan`: the removal plan per site from policy violations, with progress across audits."""

from __future__ import annotations

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from camaudit.cli.policy import pack_options
from camaudit.cli.register import register_errors
from camaudit.cli.render import cell, table_console, write_json
from camaudit.pipeline.policy import run_policy
from camaudit.policy.plan import Plan
from camaudit.report.views.policy import plan_json


def plan_tables(plan: Plan) -> list[Table]:
    tables = []
    for site, items in plan.sites:
        table = Table(title=f"Site {escape(site)}")
        for name in ("address", "device", "packs", "due", "state", "FAR report due"):
            table.add_column(name, overflow="fold")
        for i in items:
            due = i.due.isoformat() if i.due else "-"
            table.add_row(cell(i.ip), cell(i.who), ", ".join(i.packs), due, cell(i.state), cell(i.report_due))
        tables.append(table)
    return tables


@click.command()
@pack_options
@click.option("--site", "sites", multiple=True, help="Only this site (repeatable).")
@click.option("--json", "json_out", metavar="FILE|-", help="Write the plan as JSON ('-': stdout).")
def plan(
    db: str | None,
    from_json: str | None,
    packs: tuple[str, ...],
    pack_files: tuple[str, ...],
    config_path: str | None,
    sites: tuple[str, ...],
    json_out: str | None,
) -> None:
    """Devices to remove or replace, per site and by deadline, and how far the work has got.

    Status comes from the register (`camaudit annotate DEVICE --status removed`); a device counts as
    done once it is marked removed or replaced and the latest audit no longer sees it.
    """
    with register_errors():
        result = run_policy(db, from_json, (config_path, packs, pack_files), sites=sites).plan
    out = table_console(json_out)
    for table in plan_tables(result):
        out.print(table)
    Console(stderr=True).print(escape(result.progress.summary()))
    if json_out:
        write_json(plan_json(result), json_out)
