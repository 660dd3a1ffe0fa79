"""`camaudit policy`: each device against each enabled policy pack, from the register or a scan JSON.

The register (latest finished audit) is the default source; ``--from-json FILE`` reads the output
of ``camaudit scan --json`` instead. The JSON output keeps `pipeline.device_json`'s device shape and
adds a ``policy`` list per device. Organisation facts come from ``--config`` (default
``./camaudit.toml`` when it exists); nothing undeclared is assumed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from camaudit.assess.compliance import Inputs, load_context, load_inputs
from camaudit.assess.obligations import Outcome
from camaudit.assess.policy import PolicyReport, Verdict, evaluate
from camaudit.assess.privacy import survey
from camaudit.cli.register import db_option, register_errors
from camaudit.config import Config
from camaudit.pipeline import device_json
from camaudit.report.dpia import group_sites, render

POLICY_SCHEMA = "camaudit.policy-report/1"


# --- output ---------------------------------------------------------------------------------


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {
        "pack": verdict.pack.id,
        "outcome": verdict.outcome.value,
        "reason": verdict.reason,
        "missing": list(verdict.missing),
        "site": verdict.site,
        "due": verdict.due.isoformat() if verdict.due else None,
        "finding": verdict.finding().title,
        **dict(verdict.clock),
    }


def report_json(inputs: Inputs, report: PolicyReport) -> dict[str, Any]:
    bindings = [
        {
            "pack": b.pack.id,
            "name": b.pack.name,
            "binds": b.binds,
            "reason": b.reason,
            "missing": list(b.missing),
        }
        for b in report.bindings
    ]
    devices = [
        {**device_json(d), "policy": [verdict_json(v) for v in report.for_device(d)]} for d in inputs.devices
    ]
    return {"schema": POLICY_SCHEMA, "packs": bindings, "devices": devices}


def write_json(data: dict[str, Any], target: str) -> None:
    text = json.dumps(data, indent=2) + "\n"
    if target == "-":
        sys.stdout.write(text)
    else:
        Path(target).write_text(text, encoding="utf-8")


def _cell(value: object) -> str:
    return escape(str(value)) if value not in (None, "") else "-"  # device strings are hostile


def verdict_table(report: PolicyReport) -> Table:
    table = Table(title="Policy outcomes (violations and undetermined; the tool evidences, counsel decides)")
    for name in ("address", "device", "site", "pack", "outcome", "reason / missing"):
        table.add_column(name, overflow="fold")
    for v in report.verdicts:
        if v.outcome is Outcome.COMPLIES:
            continue
        detail = v.reason if v.outcome is Outcome.VIOLATES else f"missing: {', '.join(v.missing)}"
        table.add_row(
            _cell(v.device.ip), _cell(v.who), _cell(v.site), v.pack.id, v.outcome.value, _cell(detail)
        )
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
        config, chosen = load_context(config_path, packs, pack_files)
        inputs = load_inputs(db, from_json)
    report = evaluate(
        inputs.devices, chosen, config, contexts=inputs.contexts, today=dt.datetime.now(dt.UTC).date()
    )
    stream = sys.stderr if json_out == "-" else sys.stdout
    out = Console(file=stream, width=None if stream.isatty() else 160)
    out.print(verdict_table(report))
    Console(stderr=True).print(escape(_summary(report)))
    if json_out:
        write_json(report_json(inputs, report), json_out)
    if dpia_dir:
        for path in write_dpia(Path(dpia_dir), inputs, config, report):
            Console(stderr=True).print(f"impact assessment draft: {escape(str(path))}")


def write_dpia(folder: Path, inputs: Inputs, config: Config, report: PolicyReport) -> list[Path]:
    """One Markdown draft per site (`report.dpia`), named after the site."""
    folder.mkdir(parents=True, exist_ok=True)
    caps = survey(inputs.devices, inputs.observations)
    written = []
    for site in group_sites(caps, config, inputs.contexts):
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", site.name).strip("._") or "site"
        path = folder / f"dpia-{name}.md"
        path.write_text(render(site, policy=report, audit=inputs.audit_id), encoding="utf-8")
        written.append(path)
    return written
