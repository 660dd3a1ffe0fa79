"""`camaudit scan TARGET...`: discover and identify cameras, read-only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click
from click.core import ParameterSource
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from camaudit.assess.checks.default_credentials import budget_text
from camaudit.assess.credentials import CredentialSet, load_credentials
from camaudit.assess.framework import AssessOptions, Network
from camaudit.cli.errors import fail_on_input_errors
from camaudit.cli.render import cell, table_console, write_json
from camaudit.cli.scan_findings import internet_networks, print_findings
from camaudit.model import Device
from camaudit.net.limits import Limits
from camaudit.pipeline.central import Reporter, read_token
from camaudit.pipeline.scan import HostCallback, ScanResult, default_multicast, resume_scan, run_scan
from camaudit.report.views.devices import scan_json
from camaudit.scope import Scope, split_specs
from camaudit.sources.active import HostResult
from camaudit.store import Reader, Register, default_path, describe

_DEFAULTS = Limits()  # defaults shown in --help come from net.limits itself


def _split(values: Sequence[str]) -> list[str]:
    """Accept `--exclude a,b --exclude c` as nmap does; octet lists (`10.0.0.1,3`) stay whole."""
    return split_specs(values)


def device_table(devices: Sequence[Device], title: str = "Devices") -> Table:
    table = Table(title=title, show_lines=False)
    for name in ("address", "MAC", "brand", "manufacturer", "model", "firmware", "type", "conf."):
        table.add_column(name, overflow="fold")
    for d in devices:
        firmware = f"{d.firmware} (inferred)" if d.firmware and d.firmware_inferred else d.firmware
        table.add_row(
            cell(d.ip),
            cell(d.mac),
            cell(d.brand),
            cell(d.manufacturer),
            cell(d.model),
            cell(firmware),
            cell(d.device_type),
            f"{d.confidence:.2f}",
        )
    return table


@contextmanager
def _progress(err: Console, total: int) -> Iterator[HostCallback]:
    columns = (
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[found]}"),
        TimeElapsedColumn(),
    )
    found = 0
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("hosts", total=total, found="0 devices")

        def on_host(host: HostResult, devices: Sequence[Device]) -> None:
            nonlocal found
            named = [d for d in devices if d.manufacturer or d.device_type]
            found += len(named)
            for d in named:
                err.print(f"  {escape(d.ip)}: {cell(d.manufacturer)} / {cell(d.brand)} {cell(d.model)}")
            progress.update(task, advance=1, found=f"{found} devices")

        yield on_host


async def _scan_with_progress(
    scope: Scope,
    limits: Limits,
    multicast: bool,
    err: Console,
    register: Register | None = None,
    assessment: AssessOptions | None = None,
    reporter: Reporter | None = None,
) -> ScanResult:
    with _progress(err, len(scope)) as on_host:
        return await run_scan(
            scope,
            limits,
            multicast=multicast,
            on_host=on_host,
            register=register,
            assessment=assessment,
            reporter=reporter,
        )


async def _resume_with_progress(
    register: Register, reader: Reader, audit_id: str, err: Console, limits: Limits | None
) -> ScanResult:
    record = reader.audit(audit_id)
    left = len(record.scope) - len(reader.recorded_hosts(record.id))
    err.print(f"camaudit: resuming audit {record.id}: {left} of {len(record.scope)} host(s) left to probe")
    with _progress(err, left) as on_host:
        return await resume_scan(register, reader, record.id, on_host=on_host, limits=limits)


def _resume(register: Register, db: str | None, audit_id: str, limits: Limits | None) -> ScanResult:
    with Reader(db) as reader:
        return asyncio.run(_resume_with_progress(register, reader, audit_id, Console(stderr=True), limits))


def _explicit_limits(rate: float, concurrency: int, per_host: int, timeout: float) -> Limits | None:
    """The limits given on this command line, or None to keep those the audit recorded."""
    context = click.get_current_context()
    names = ("rate", "concurrency", "per_host", "timeout")
    if not any(context.get_parameter_source(n) is ParameterSource.COMMANDLINE for n in names):
        return None
    return Limits(
        rate=rate, concurrency=concurrency, per_host=per_host, connect_timeout=timeout, read_timeout=timeout
    )


def _run_recorded(db: str | None, run: Callable[[Register], ScanResult]) -> ScanResult:
    """Open the register (one writer), run the scan or the resume in it, say where the audit is."""
    from camaudit.cli.register import register_errors

    with register_errors(), Register(db) as register:
        result = run(register)
    Console(stderr=True).print(f"audit {result.audit.id} recorded in {escape(describe(db))}")
    return result


@click.command()
@click.argument("targets", nargs=-1)
@click.option(
    "-iL",
    "--input-list",
    "input_lists",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Read targets from a file ('-': standard input; specs separated by spaces or lines, # comments).",
)
@click.option("--exclude", multiple=True, help="Addresses, ranges or CIDRs not to probe (comma-separated).")
@click.option(
    "--excludefile",
    "--exclude-file",
    "exclude_file",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Exclusions file (as -iL; nmap's spelling, --exclude-file also works).",
)
@click.option("--allow-public", is_flag=True, help="Allow globally routable addresses (refused by default).")
@click.option(
    "--rate",
    type=click.FloatRange(min=0.1),
    default=_DEFAULTS.rate,
    show_default=True,
    help="New connections or datagrams per second, overall.",
)
@click.option("--concurrency", type=click.IntRange(min=1), default=_DEFAULTS.concurrency, show_default=True)
@click.option(
    "--per-host",
    type=click.IntRange(min=1),
    default=_DEFAULTS.per_host,
    show_default=True,
    help="Connections in flight to one address.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=_DEFAULTS.read_timeout,
    show_default=True,
    help="Seconds to connect, and seconds for each reply.",
)
@click.option(
    "--multicast/--no-multicast",
    default=None,
    help="Also send SADP/DHIP/WS-Discovery/SSDP/mDNS queries to their multicast groups (TTL 1). "
    "Default: on when a target is on a directly connected network.",
)
@click.option("--json", "json_out", metavar="FILE|-", help="Write the audit as JSON ('-' for stdout).")
@click.option("--db", metavar="FILE|URL", help="Register to record the audit in (default: user data dir).")
@click.option("--no-db", is_flag=True, help="Do not record the audit in the register.")
@click.option("--resume", metavar="AUDIT_ID", help="Finish a stopped audit: probe only the hosts it lacks.")
@click.option(
    "--check-default-credentials",
    is_flag=True,
    help="Opt-in: try at most two vendor-default passwords per identified device, spaced, stopping at any "
    "sign of lockout.",
)
@click.option(
    "--credentials",
    "credentials_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="TOML [[credentials]] of your own devices for a read-only authenticated audit (never echoed).",
)
@click.option(
    "--verify/--no-verify",
    default=True,
    show_default=True,
    help="Confirm known flaws with safe read-only requests (fixed GET/HEAD, body discarded), only on "
    "devices identified as affected.",
)
@click.option(
    "--internet-facing",
    multiple=True,
    metavar="CIDR",
    help="Addresses reachable from the internet (comma-separated, repeatable): reported as exposure.",
)
@click.option(
    "--report-to", metavar="URL", help="Also send each host to a central camaudit server as it completes."
)
@click.option("--site", help="With --report-to: this site's name (the token must be for it).")
@click.option(
    "--token-file", type=click.Path(dir_okay=False), help="With --report-to: the site's write token."
)
@click.option(
    "--spool", metavar="DIR", help="With --report-to: where unsent results wait (default: data dir)."
)
def scan(
    targets: tuple[str, ...],
    input_lists: tuple[str, ...],
    exclude: tuple[str, ...],
    exclude_file: tuple[str, ...],
    allow_public: bool,
    rate: float,
    concurrency: int,
    per_host: int,
    timeout: float,
    multicast: bool | None,
    json_out: str | None,
    db: str | None,
    no_db: bool,
    resume: str | None,
    check_default_credentials: bool,
    credentials_file: str | None,
    verify: bool,
    internet_facing: tuple[str, ...],
    report_to: str | None,
    site: str | None,
    token_file: str | None,
    spool: str | None,
) -> None:
    """Discover and identify the cameras at TARGETS (addresses, CIDRs, ranges, host names).

    Read-only: only fixed GET/HEAD/OPTIONS/DESCRIBE requests and discovery inquiries are sent.
    """
    if resume is not None:
        if targets or input_lists or no_db:
            raise click.UsageError("--resume takes the audit's own targets: give no targets and no --no-db")
        limits = _explicit_limits(rate, concurrency, per_host, timeout)
        _show(_run_recorded(db, lambda reg: _resume(reg, db, resume, limits)), json_out)
        return
    with fail_on_input_errors():
        if not targets and not input_lists:
            raise click.UsageError("give at least one target (or -iL FILE)")
        scope = Scope.parse(
            _split(targets),
            exclude=_split(exclude),
            target_files=input_lists,
            exclude_files=exclude_file,
            allow_public=allow_public,
        )
        limits = Limits(
            rate=rate,
            concurrency=concurrency,
            per_host=per_host,
            connect_timeout=timeout,
            read_timeout=timeout,
        )
        # Read before anything is probed: a malformed file stops here (file and line, never a secret).
        assessment = _assessment(
            check_default_credentials, credentials_file, verify, internet_networks(internet_facing)
        )
    if multicast is None:
        multicast = default_multicast(scope)
    err = Console(stderr=True)
    err.print(
        f"camaudit: {len(scope)} target(s), rate {rate:g}/s, concurrency {concurrency}, read-only probes"
        + (", multicast discovery on the local segment" if multicast else "")
    )
    _announce(assessment, err)
    with fail_on_input_errors(), _reporter(report_to, site, token_file, spool, err) as reporter:
        # Assessed inside the recorded run, so the register gets the findings before the audit is finished.
        if no_db:
            result = asyncio.run(
                _scan_with_progress(scope, limits, multicast, err, None, assessment, reporter)
            )
        else:

            def start(register: Register) -> ScanResult:
                return asyncio.run(
                    _scan_with_progress(scope, limits, multicast, err, register, assessment, reporter)
                )

            result = _run_recorded(db, start)
    if assessment is not None:
        print_findings(result.devices, err)
    _show(result, json_out)


@contextmanager
def _reporter(
    url: str | None, site: str | None, token_file: str | None, spool: str | None, err: Console
) -> Iterator[Reporter | None]:
    if url is None:
        if site or token_file:
            raise click.UsageError("--site and --token-file go with --report-to")
        yield None
        return
    if not site or not token_file:
        raise click.UsageError("--report-to needs --site and --token-file")
    folder = spool or str(default_path().parent / "spool" / site.replace("/", "_"))
    reporter = Reporter(url, site, read_token(token_file), folder)
    try:
        yield reporter
    finally:
        left = reporter.close()
        sent = f"{reporter.stats.sent} message(s) sent to {escape(url)}"
        kept = f"; {left} kept in {escape(folder)} for the next --report-to run" if left else ""
        err.print(f"camaudit: {sent}{kept}")


def _assessment(
    check_defaults: bool, credentials_file: str | None, verify: bool, internet: tuple[Network, ...]
) -> AssessOptions:
    """The assessment options: CVE and exposure checks always, opt-in logins, --verify by default."""
    creds = load_credentials(credentials_file) if credentials_file is not None else None
    return AssessOptions(
        verify=verify, internet_facing=internet, check_default_credentials=check_defaults, credentials=creds
    )


def _announce(assessment: AssessOptions | None, err: Console) -> None:
    """State the login budget before the scan starts, so the owner knows what will be tried."""
    if assessment is None:
        return
    if assessment.check_default_credentials:
        err.print(escape(f"camaudit: {budget_text()}"))
    if isinstance(assessment.credentials, CredentialSet):
        err.print(
            f"camaudit: authenticated read-only audit with {len(assessment.credentials)} credential "
            "entr(ies): GET only, one login per read, stops at the first refusal"
        )


def _show(result: ScanResult, json_out: str | None) -> None:
    out = table_console(json_out)
    shown = [d for d in result.devices if d.manufacturer or d.device_type or d.ports]
    out.print(device_table(shown))
    _summary(result, Console(stderr=True))
    if json_out:
        write_json(scan_json(result), json_out)


def _summary(result: ScanResult, err: Console) -> None:
    makers: dict[str, Any] = {}
    for d in result.devices:
        if d.manufacturer:
            makers[d.manufacturer] = makers.get(d.manufacturer, 0) + 1
    listed = ", ".join(f"{escape(k)} {v}" for k, v in sorted(makers.items())) or "none"
    err.print(
        f"{len(result.devices)} host(s) answered; makers: {listed}; "
        f"{len(result.attempts)} probe attempt(s) failed (see JSON 'attempts')."
    )
