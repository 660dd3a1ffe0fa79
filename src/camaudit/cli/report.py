"""`camaudit report [--db FILE] [--audit ID] --format html|pdf|csv|json -o FILE`."""

from __future__ import annotations

from pathlib import Path

import click

from camaudit.cli.register import db_option, register_errors
from camaudit.report.formats import BY_NAME, FORMATS
from camaudit.report.views import build_view
from camaudit.store import Reader


@click.command()
@db_option
@click.option(
    "--audit", "audit_id", metavar="ID", help="Which audit (an id or unique prefix; default: latest)."
)
@click.option(
    "-f",
    "--format",
    "format_name",
    type=click.Choice([f.name for f in FORMATS]),
    default="html",
    show_default=True,
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: report-ID.<format>)."
)
def report(db: str | None, audit_id: str | None, format_name: str, output: str | None) -> None:
    """Write the report of an audit: self-contained HTML, PDF (A4), CSV (devices + findings) or JSON.

    Every format renders the same view of the register, so their numbers agree.
    """
    chosen = BY_NAME[format_name]
    with register_errors(), Reader(db) as reader:
        view = build_view(reader, audit_id)
    path = Path(output) if output else Path(f"report-{view['audit']['id'][:12]}{chosen.suffix}")
    written = chosen.write(view, path)
    summary = view["summary"]
    click.echo(
        f"wrote {', '.join(str(p) for p in written)}: audit {view['audit']['id'][:12]}, "
        f"{summary['devices']} device(s), {summary['findings']} finding(s)"
    )
