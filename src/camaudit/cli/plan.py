"""`camaudit plan`: the removal plan per site from policy violations, with progress across audits."""

from __future__ import annotations

import datetime as dt
import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from camaudit.assess.compliance import load_context, load_inputs
from camaudit.assess.plan import Plan, build_plan, plan_json
from camaudit.assess.policy import evaluate
from camaudit.cli.policy import pack_options, write_json
from camaudit.cli.register import register_errors


def _cell(value: object) -> str:
    return escape(str(value)) if value not in (None, "") else "-"


def plan_tables(plan: Plan) -> list[Table]:
    tables = []
    for site, items in plan.sites:
        table = Table(title=f"Site {escape(site)}")
        for name in ("address", "device", "packs", "due", "state", "FAR report due"):
            table.add_column(name, overflow="fold")
        for i in items:
            due = i.due.isoformat() if i.due else "-"
            table.add_row(
                _cell(i.ip), _cell(i.who), ", ".join(i.packs), due, _cell(i.state), _cell(i.report_due)
            )
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
    today = dt.datetime.now(dt.UTC).date()
    with register_errors():
        config, chosen = load_context(config_path, packs, pack_files)
        inputs = load_inputs(db, from_json)
    report = evaluate(inputs.devices, chosen, config, contexts=inputs.contexts, today=today)
    result = build_plan(inputs.tracked, report, today=today, sites=sites, history=inputs.history)
    stream = sys.stderr if json_out == "-" else sys.stdout
    out = Console(file=stream, width=None if stream.isatty() else 160)
    for table in plan_tables(result):
        out.print(table)
    Console(stderr=True).print(escape(result.progress.summary()))
    if json_out:
        write_json(plan_json(result), json_out)
