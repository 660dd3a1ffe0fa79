"""`camaudit scan --report-to URL --site S --token-file F`: a site's scan sent to a central server."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from camaudit.pipeline.central import Reporter, read_token
from camaudit.store import default_path
from camaudit.store.accounts import site_problem

F = TypeVar("F", bound=Callable[..., Any])
PATIENCE = 10.0  # seconds without a message accepted before the end of a scan stops waiting for the server
LIMIT = 600.0  # seconds a scan's end waits at most for a spool that is still draining


def report_to_options(command: F) -> F:
    """The four options a site scanner needs; `open_reporter` reads them."""
    options = (
        click.option("--report-to", metavar="URL",
                     help="Also send each host to a central camaudit server as it completes."),
        click.option("--site", help="With --report-to: this site's name (the token must be for it)."),
        click.option("--token-file", type=click.Path(dir_okay=False),
                     help="With --report-to: the site's write token."),
        click.option("--spool", metavar="DIR",
                     help="With --report-to: where unsent results wait (default: data dir)."),
    )  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def open_reporter(
    url: str | None, site: str | None, token_file: str | None, spool: str | None
) -> Reporter | None:
    """The reporter the options ask for, or None; a usage error before anything is sent."""
    if url is None:
        if site or token_file or spool:
            raise click.UsageError("--site, --token-file and --spool go with --report-to")
        return None
    if not site or not token_file:
        raise click.UsageError("--report-to needs --site and --token-file")
    if (problem := site_problem(site)) is not None:
        raise click.UsageError(f"--site: {problem}")
    folder = spool or str(default_path().parent / "spool" / site)
    return Reporter(url, site, read_token(token_file), folder)


@contextmanager
def reporting(reporter: Reporter | None, err: Console) -> Iterator[None]:
    """Wait for the spool to drain when the scan ends (however it ends), then say what was sent."""
    try:
        yield
    finally:
        if reporter is not None:
            settle(reporter)
            left = reporter.close(wait=0)
            sent = f"{reporter.stats.sent} message(s) sent to {escape(reporter.base)}"
            refused = (
                f"; {reporter.stats.rejected} refused by the server (kept in "
                f"{escape(str(reporter.spool / 'rejected'))}: check the token and --site)"
                if reporter.stats.rejected
                else ""
            )
            kept = (
                f"; {left} kept in {escape(str(reporter.spool))} for the next --report-to run" if left else ""
            )
            err.print(f"camaudit: {sent}{refused}{kept}", highlight=False, soft_wrap=True)


def settle(reporter: Reporter, patience: float = PATIENCE, limit: float = LIMIT) -> None:
    """Wait while the spool drains; stop after `patience` seconds in which none left the spool (the server
    is away: the spool waits for the next run) or after `limit` seconds in all."""
    start = last = time.monotonic()
    before = reporter.pending()
    while left := reporter.pending():
        now = time.monotonic()
        if left < before:
            before, last = left, now
        if now - last > patience or now - start > limit:
            break
        time.sleep(0.1)


@click.command("spool")
@report_to_options
def spool(report_to: str | None, site: str | None, token_file: str | None, spool: str | None) -> None:
    """Send what a site scanner kept while the central server was away (without scanning again)."""
    if report_to is None:
        raise click.UsageError("spool needs --report-to, --site and --token-file")
    reporter = open_reporter(report_to, site, token_file, spool)
    with reporting(reporter, Console(stderr=True)):
        pass
