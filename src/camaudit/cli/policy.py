"""`camaudit policy`: each device against each enabled policy pack, from the register or a scan JSON.

The register (latest finished audit) is the default source; ``--from-json FILE`` reads the output
of ``camaudit scan --json`` instead. The JSON output keeps the scan's device shape and adds a
``policy`` list per device. Judging the register records the verdicts that need action as policy
findings of the audit judged (the report lists them). Organisation facts come from ``--config`` (default
``./camaudit.toml`` when it exists); nothing undeclared is assumed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from camaudit.cli.register import db_option, register_errors
from camaudit.cli.render import cell, table_console, write_json
from camaudit.pipeline.policy import run_policy
from camaudit.policy.obligations import Outcome
from camaudit.policy.verdicts import PolicyReport
from camaudit.report import dpia
from camaudit.report.views.policy import policy_json


def verdict_table(report: PolicyReport) -> Table:
    table = Table(title="Policy outcomes (violations and undetermined; the tool evidences, counsel decides)")
    for name in ("address", "device", "site", "pack", "outcome", "reason / missing"):
        table.add_column(name, overflow="fold")
    for v in report.verdicts:
        if v.outcome is Outcome.COMPLIES:
            continue
        detail = v.reason if v.outcome is Outcome.VIOLATES else f"missing: {', '.join(v.missing)}"
        table.add_row(cell(v.device.ip), cell(v.who), cell(v.site), v.pack.id, v.outcome.value, cell(detail))
    return table


def _summary(report: PolicyReport) -> str:
    counts = {o: sum(v.outcome is o for v in report.verdicts) for o in Outcome}
    idle = [b.pack.id for b in report.bindings if b.binds is False]
    text = ", ".join(f"{n} {o.value}" for o, n in counts.items())
    return text + (f"; not binding this organisation: {', '.join(idle)}" if idle else "")


def pack_options(function: Any) -> Any:
    for option in (
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            help="camaudit.toml (default: ./camaudit.toml).",
        ),
        click.option(
            "--pack-file",
            "pack_files",
            multiple=True,
            type=click.Path(dir_okay=False),
            help="Your own pack (YAML).",
        ),
        click.option(
            "--pack",
            "packs",
            multiple=True,
            metavar="ID",
            help="A shipped pack (repeatable; default: the config's, else all).",
        ),
        click.option(
            "--from-json", metavar="FILE", help="Judge a `camaudit scan --json` file instead of the register."
        ),
        db_option,
    ):
        function = option(function)
    return function


@click.command()
@pack_options
@click.option(
    "--json", "json_out", metavar="FILE|-", help="Write devices with their outcomes as JSON ('-': stdout)."
)
@click.option(
    "--dpia", "dpia_dir", type=click.Path(file_okay=False), help="Write a draft impact assessment per site."
)
def policy(
    db: str | None,
    from_json: str | None,
    packs: tuple[str, ...],
    pack_files: tuple[str, ...],
    config_path: str | None,
    json_out: str | None,
    dpia_dir: str | None,
) -> None:
    """Judge every device against the enabled policy packs: violates / complies / undetermined.

    Findings read "possible non-compliance with X (source), check with counsel": camaudit evidences,
    it does not rule.
    """
    with register_errors():
        judgement = run_policy(db, from_json, (config_path, packs, pack_files), record=True)
    table_console(json_out).print(verdict_table(judgement.report))
    err = Console(stderr=True)
    err.print(escape(_summary(judgement.report)))
    if json_out:
        write_json(policy_json(judgement), json_out)
    if dpia_dir:
        for path in dpia.write(Path(dpia_dir), judgement):
            err.print(f"impact assessment draft: {escape(str(path))}")
