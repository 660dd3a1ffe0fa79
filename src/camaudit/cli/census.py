"""`camaudit census FILE… --by country,manufacturer`: counts over internet-scan exports that anyone can
repeat, in three labelled units, with the method and its limits printed beside every table."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from camaudit.census import CensusResult, run_census
from camaudit.census.classify import DIMENSIONS
from camaudit.census.engines import ENGINES
from camaudit.census.html import VIEWS, render
from camaudit.census.output import as_json, csv_text, write_parquet
from camaudit.census.rollup import UNITS
from camaudit.census.shard import Partial
from camaudit.cli.errors import fail_on_input_errors, shown
from camaudit.cli.render import cell, table_console, visible, write_json

SHOWN = 40  # rows printed on the terminal (the files carry them all)


def _dimensions(value: str) -> tuple[str, ...]:
    found = tuple(d.strip() for d in value.split(",") if d.strip())
    unknown = [d for d in found if d not in DIMENSIONS]
    if unknown or not found:
        raise click.BadParameter(f"{', '.join(unknown) or '(none)'}: choose from {', '.join(DIMENSIONS)}")
    return found


def census_table(result: CensusResult) -> Table:
    totals = result.table.totals
    title = ", ".join(f"{totals[u]:,} {u}" for u in UNITS)
    table = Table(title=f"census: {title}")
    for name in result.table.by:
        table.add_column(name)
    for unit in UNITS:
        table.add_column(unit, justify="right")
    for row in result.table.rows[:SHOWN]:
        table.add_row(*(cell(row[d]) for d in result.table.by), *(f"{row[u]:,}" for u in UNITS))
    return table


def _run(files: tuple[str, ...], by: tuple[str, ...], err: Console, **options: object) -> CensusResult:
    columns = (
        TextColumn("shards"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[records]:,} records"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("census", total=None, records=0)
        counted = [0]

        def planned(total: int) -> None:
            bar.update(task, total=total)

        def done(partial: Partial) -> None:
            counted[0] += partial.records
            bar.update(task, advance=1, records=counted[0])

        return run_census(files, by, progress=done, on_plan=planned, **options)  # type: ignore[arg-type]


@click.command("census")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--by",
    "by",
    default="country,manufacturer",
    show_default=True,
    help=f"Dimensions to count by, comma-separated: {', '.join(DIMENSIONS)}.",
)
@click.option(
    "--window-days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Length of the time window in which an address counts once.",
)
@click.option("--query", default="", help="How the record set was chosen (the search query), for the method.")
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="local",
    show_default=True,
    help="local: a process pool; dask: an existing Dask cluster (pip install camaudit[dask]).",
)
@click.option("--scheduler", metavar="tcp://HOST:8786", help="The Dask scheduler (with --engine dask).")
@click.option(
    "--workers", type=click.IntRange(min=1), help="Processes of the local pool (default: one per core)."
)
@click.option(
    "--partials",
    "partials_dir",
    type=click.Path(file_okay=False),
    help="Keep each shard's partial counts (Parquet) in this folder, to combine with later runs.",
)
@click.option(
    "--add-partials",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Partial files of earlier runs to count in (repeatable).",
)
@click.option("--json", "json_out", metavar="FILE|-", help="Write the counts as JSON ('-': stdout).")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False), help="Write the counts as CSV.")
@click.option(
    "--parquet", "parquet_out", type=click.Path(dir_okay=False), help="Write the counts as Parquet."
)
@click.option(
    "--html", "html_out", type=click.Path(dir_okay=False), help="Write a self-contained HTML report."
)
def census(
    files: tuple[str, ...],
    by: str,
    window_days: int,
    query: str,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    partials_dir: str | None,
    add_partials: tuple[str, ...],
    json_out: str | None,
    csv_out: str | None,
    parquet_out: str | None,
    html_out: str | None,
) -> None:
    """Count scan exports (Shodan, Censys, zgrab2, masscan …) by place, network and maker."""
    err = Console(stderr=True)
    dims = _dimensions(by)
    if not files and not add_partials:
        raise click.UsageError("give FILE… or --add-partials")
    if engine == "dask" and not scheduler:
        raise click.UsageError("--engine dask needs --scheduler tcp://HOST:8786")
    with fail_on_input_errors():
        try:
            result = _run(
                files,
                dims,
                err,
                engine=engine,
                scheduler=scheduler,
                workers=workers,
                window_days=window_days,
                partials_dir=partials_dir,
                from_partials=add_partials,
                query=query,
                views=tuple(VIEWS) if html_out else (),
            )
        except (OSError, RuntimeError, ValueError) as exc:
            raise click.ClickException(shown(exc)) from None
    _write(result, json_out, csv_out, parquet_out, html_out)
    out = table_console(json_out, width=140)
    out.print(census_table(result))
    for line in result.method.splitlines():
        out.print(visible(line), highlight=False)
    for line in result.problems[:10]:
        err.print(f"  warning: {visible(line)}")  # file names; partials of other runs


def _write(
    result: CensusResult,
    json_out: str | None,
    csv_out: str | None,
    parquet_out: str | None,
    html_out: str | None,
) -> None:
    if json_out:
        write_json(as_json(result), json_out)
    if csv_out:
        Path(csv_out).write_text(csv_text(result), encoding="utf-8")
    if parquet_out:
        write_parquet(result, parquet_out)
    if html_out:
        Path(html_out).write_text(render(result), encoding="utf-8")
