"""`camaudit import FILE…`: the scans an organisation already has (nmap, masscan, Nessus, runZero,
Shodan, Censys, zgrab2, ZMap) as an audit of kind ``import``; nothing is sent anywhere.

The module is ``imports`` because ``import`` is a Python keyword; the command is ``camaudit import``.
"""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from camaudit.cli.errors import fail_on_input_errors
from camaudit.cli.register import db_option, register_errors
from camaudit.cli.render import cell, table_console, visible, write_json
from camaudit.cli.traffic import _size
from camaudit.pipeline.imports import ImportResult, resume_import, run_import
from camaudit.report.views.imports import import_json
from camaudit.sources.imports import FORMATS
from camaudit.store import Reader, Register, describe

_FORMATS_HELP = "; ".join(f.doc for f in FORMATS)


def summary_table(result: ImportResult) -> Table:
    table = Table(title=f"{result.devices} device(s), {result.addresses} address(es)")
    for name in ("manufacturer", "devices"):
        table.add_column(name)
    for maker, count in sorted(result.makers.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(cell(maker), str(count))
    return table


def _report(result: ImportResult, err: Console) -> None:
    for path, fmt in result.formats.items():
        err.print(f"{visible(path)}: read as {visible(fmt)}")  # a file name may hold controls
    err.print(f"{result.records} record(s) read, {result.skipped} skipped")
    for line in result.problems[:10]:
        err.print(f"  warning: {visible(line)}")
    hidden = len(result.problems) - 10 + result.problems_dropped
    if hidden > 0:
        err.print(f"  … and {hidden} more (all in --json)")
    if result.findings:
        shown = ", ".join(f"{k} ({v})" for k, v in result.findings.most_common(8))
        err.print(f"version-based findings: {visible(shown)}")


@click.command(
    "import", help=f"Audit scan files you already have (format found from content: {_FORMATS_HELP})."
)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--resume",
    metavar="AUDIT_ID",
    help="Finish a stopped import (killed, power lost): its files are read again, only the addresses "
    "it lacks are recorded.",
)
@click.option(
    "--json", "json_out", metavar="FILE|-", help="Write counts, makers and problems as JSON ('-': stdout)."
)
@click.option(
    "--max-inflated",
    default="4G",
    show_default=True,
    metavar="SIZE",
    help="Bytes one compressed file may inflate to; past it the rest is not read (a warning says so).",
)
@click.option(
    "--max-inflate-ratio",
    type=click.FloatRange(min=1),
    default=200,
    show_default=True,
    help="Inflated bytes per compressed byte a file may reach (decompression bombs are cut).",
)
@db_option
@click.option("--no-db", is_flag=True, help="Do not record the audit in the register (counts only).")
def import_command(
    files: tuple[str, ...],
    resume: str | None,
    json_out: str | None,
    max_inflated: str,
    max_inflate_ratio: float,
    db: str | None,
    no_db: bool,
) -> None:
    """camaudit import FILE… ('-' reads standard input)."""
    err = Console(stderr=True)
    if resume is not None and (files or no_db):
        raise click.UsageError("--resume takes the audit's own files: give no FILE and no --no-db")
    if resume is None and not files:
        raise click.UsageError("give FILE… (or --resume AUDIT_ID)")
    with fail_on_input_errors(), register_errors():
        limit = _size(max_inflated, "--max-inflated")
        if resume is not None:
            with Register(db) as register, Reader(db) as reader:
                result = resume_import(
                    register, reader, resume, max_inflated=limit, max_inflate_ratio=max_inflate_ratio
                )
        elif no_db:
            result = run_import(files, max_inflated=limit, max_inflate_ratio=max_inflate_ratio)
        else:
            with Register(db) as register:
                result = run_import(files, register, max_inflated=limit, max_inflate_ratio=max_inflate_ratio)
    table_console(json_out, width=120).print(summary_table(result))
    _report(result, err)
    if result.audit_id is not None:
        err.print(f"audit {result.audit_id} (kind import) recorded in {visible(describe(db))}")
    if json_out:
        write_json(import_json(result), json_out)
