"""`camaudit report [--db FILE] [--audit ID] --format html|pdf|csv|json -o FILE`."""

from __future__ import annotations

from pathlib import Path

import click

from camaudit import report as reports
from camaudit.cli.audits import audit_options, say_which
from camaudit.cli.outputs import check_writable
from camaudit.cli.register import db_option, register_errors
from camaudit.cli.render import write_files
from camaudit.report.formats import BY_NAME, FORMATS
from camaudit.store import Reader


@click.command()
@db_option
@audit_options
@click.option(
    "-f",
    "--format",
    "format_name",
    type=click.Choice([f.name for f in FORMATS]),
    help="Format (default: from the -o file's suffix, else html).",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: report-ID.<format>)."
)
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help="camaudit.toml for the policy part."
)
@click.option(
    "--pack", "packs", multiple=True, metavar="ID", help="Policy pack to apply (default: config's, else all)."
)
@click.option(
    "--pack-file", "pack_files", multiple=True, type=click.Path(dir_okay=False), help="Your own pack."
)
@click.option("--no-policy", is_flag=True, help="Leave out policy verdicts, the removal plan and privacy.")
def report(
    db: str | None,
    audit_id: str | None,
    kind: str,
    format_name: str | None,
    output: str | None,
    config_path: str | None,
    packs: tuple[str, ...],
    pack_files: tuple[str, ...],
    no_policy: bool,
) -> None:
    """Write the report of an audit: self-contained HTML, PDF (A4), CSV (devices + findings) or JSON.

    Every format renders the same view of the register, so their numbers agree. For the latest audit the
    report also judges each device against the policy packs and shows the removal plan and privacy
    capabilities (as `camaudit policy` and `camaudit plan` do).
    """
    chosen = BY_NAME[format_name or _format_of(output)]
    check_writable(output, "-o")  # before the work, not after it
    with register_errors():
        policy = None if no_policy else (config_path, packs, pack_files)
        view = reports.build(db, audit_id, policy=policy, kind=kind)
        with Reader(db) as reader:
            say_which(reader, reader.audit(view["audit"]["id"]), db)
    path = Path(output) if output else Path(f"report-{view['audit']['id'][:12]}{chosen.suffix}")
    try:
        written = write_files(path, lambda staged: chosen.write(view, staged))
    except OSError as exc:  # the register still holds the audit: say so, in one line
        why = exc.strerror or str(exc)
        click.echo(f"camaudit: error: cannot write {path}: {why} (the audit stays in the register)", err=True)
        raise SystemExit(1) from None
    summary = view["summary"]
    partial = "" if view["audit"]["complete"] else " (PARTIAL)"
    click.echo(
        f"wrote {', '.join(str(p) for p in written)}: audit {view['audit']['id'][:12]}{partial}, "
        f"{summary['devices']} device(s), {summary['findings']} finding(s)"
    )


def _format_of(output: str | None) -> str:
    """The format a file name asks for (`-o board.pdf` is a PDF, not HTML in a .pdf file); else html."""
    suffix = Path(output).suffix.lower() if output else ""
    return next((f.name for f in FORMATS if f.suffix == suffix), "html")
