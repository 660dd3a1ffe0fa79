"""`camaudit scan TARGET...`: discover and identify cameras, read-only.

Output paths are checked before anything is sent. Ctrl-C (or SIGTERM) stops the scan cleanly: hosts in
flight are abandoned, every finished host stays in the register and in the `--json` file, and the exact
`--resume` command is printed; exit status 130. A second Ctrl-C abandons at once.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from typing import Any

import click
from click.core import ParameterSource
from rich.console import Console
from rich.markup import escape

from camaudit.assess.checks.default_credentials import budget_text
from camaudit.assess.credentials import CredentialSet, load_credentials
from camaudit.assess.framework import AssessOptions, Network
from camaudit.cli.central import open_reporter, report_to_options, reporting
from camaudit.cli.errors import fail_on_input_errors
from camaudit.cli.outputs import EXIT_INTERRUPTED, check_writable, fail_on_option
from camaudit.cli.progress import NORMAL, QUIET, VERBOSE, ScanDisplay
from camaudit.cli.register import db_option, register_errors
from camaudit.cli.scan_findings import internet_networks
from camaudit.cli.scan_output import Outcome, device_table, finish, resume_command
from camaudit.net.limits import DEFAULT_TIMING, TIMING, TIMING_NAMES, Limits, timing
from camaudit.pipeline.progress import ScanProgress
from camaudit.pipeline.scan import ScanResult, default_multicast, resume_scan, run_scan
from camaudit.scope import DEFAULT_MAX_TARGETS, Scope, split_specs
from camaudit.sources.ports import PortSelection, parse_ports
from camaudit.store import Reader, Register, describe

__all__ = ["device_table", "scan"]
_T3 = TIMING[DEFAULT_TIMING]
_LIMIT_OPTIONS = ("rate", "max_rate", "concurrency", "per_host", "timeout")


def _split(values: tuple[str, ...]) -> list[str]:
    """Accept `--exclude a,b --exclude c` as nmap does; octet lists (`10.0.0.1,3`) stay whole."""
    return split_specs(values)


def _timing_level(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int:
    if value is None:
        return DEFAULT_TIMING
    names = {name: level for level, name in TIMING_NAMES.items()}
    text = value.strip().lower()
    if text.isdigit() and int(text) in TIMING:
        return int(text)
    if text in names:
        return names[text]
    raise click.BadParameter(f"{value!r}: give 0-5 or {', '.join(TIMING_NAMES.values())}")


def _limits(level: int, given: dict[str, Any]) -> Limits:
    """The template's limits with what the command line named (a named --rate is a fixed rate)."""
    overrides = {k: v for k, v in given.items() if v is not None and k != "timeout"}
    if given.get("timeout") is not None:
        overrides |= {"connect_timeout": given["timeout"], "read_timeout": given["timeout"]}
    try:
        return timing(level, **overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc).replace("Limits.", "--").replace("_", "-")) from None


def _explicitly_given() -> bool:
    context = click.get_current_context()
    names = (*_LIMIT_OPTIONS, "level")
    return any(context.get_parameter_source(n) is ParameterSource.COMMANDLINE for n in names)


async def _interruptible(
    start: Callable[[asyncio.Event], Awaitable[ScanResult]], err: Console, quiet: bool
) -> ScanResult:
    """Run a scan; the first Ctrl-C or SIGTERM asks it to stop cleanly, a second abandons it at once."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    stop = asyncio.Event()

    def interrupted() -> None:
        if stop.is_set() and main is not None:
            main.cancel()
            return
        stop.set()
        if not quiet:
            err.print("camaudit: stopping: finished hosts are kept (Ctrl-C again to abandon at once)")

    handled = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, interrupted)
            handled.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals
            pass
    try:
        return await start(stop)
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)


def _abandoned(progress: ScanProgress, db: str | None, err: Console) -> None:
    """A second Ctrl-C: no result to show, but the register keeps every host recorded so far."""
    err.print("camaudit: abandoned.")
    if progress.audit_id is not None:
        where = escape(describe(db))
        err.print(f"audit {progress.audit_id} is kept as partial in {where}; finish it with:", soft_wrap=True)
        err.print(f"  {escape(resume_command(progress.audit_id, db))}", highlight=False, soft_wrap=True)
    raise SystemExit(EXIT_INTERRUPTED)


def _run(
    work: Callable[[Register | None, ScanProgress, asyncio.Event], Awaitable[ScanResult]],
    db: str | None,
    no_db: bool,
    display: ScanDisplay,
) -> ScanResult:
    """Open the register (unless --no-db), run the scan in it with the live display, Ctrl-C handled."""
    quiet = display.verbosity <= QUIET

    def go(register: Register | None) -> ScanResult:
        with display.live():
            try:
                return asyncio.run(_interruptible(lambda stop: work(register, display.progress, stop),
                                                  display.err, quiet))  # fmt: skip
            except asyncio.CancelledError:
                _abandoned(display.progress, db, display.err)
                raise  # unreachable: _abandoned exits

    if no_db:
        return go(None)
    with register_errors(), Register(db) as register:
        return go(register)


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
    "--max-targets",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_TARGETS,
    show_default=True,
    help="Refuse targets that expand to more addresses than this.",
)
@click.option(
    "-p",
    "--ports",
    "port_spec",
    metavar="PORTS",
    help="Ports to contact, nmap syntax: 80,443,8000-8100; T:/U: prefixes; -p- every TCP port "
    "(default: the camera ports and every discovery protocol).",
)
@click.option(
    "-T",
    "--timing",
    "level",
    metavar="0-5",
    callback=_timing_level,
    help="nmap-style template: 0 paranoid, 1 sneaky, 2 polite, 3 normal (default), 4 aggressive, 5 insane.",
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0.1),
    help=f"A fixed rate of new connections or datagrams per second, overall (default -T3: "
    f"{_T3.rate:g}/s at first, rising to {_T3.max_rate:g}/s while no host shows distress).",
)
@click.option(
    "--max-rate",
    type=click.FloatRange(min=0.1),
    help="Ceiling for the adaptive rate (never exceeded).",
)
@click.option(
    "--concurrency", type=click.IntRange(min=1), help=f"Exchanges in flight (default {_T3.concurrency})."
)
@click.option(
    "--per-host",
    type=click.IntRange(min=1),
    help=f"Connections in flight to one address (default {_T3.per_host}).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    help=f"Seconds to connect, and seconds for each reply (default {_T3.read_timeout:g}).",
)
@click.option(
    "--multicast/--no-multicast",
    default=None,
    help="Also send SADP/DHIP/WS-Discovery/SSDP/mDNS queries to their multicast groups (TTL 1). "
    "Default: on when a target is on a directly connected network.",
)
@click.option("--json", "json_out", metavar="FILE|-", help="Write the audit as JSON ('-' for stdout).")
@db_option
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
@click.option("-q", "--quiet", is_flag=True, help="No progress, device lines or findings: the table only.")
@click.option(
    "-v", "--verbose", is_flag=True, help="A line for every host that answered, findings per device."
)
@report_to_options
@fail_on_option
def scan(
    targets: tuple[str, ...],
    input_lists: tuple[str, ...],
    exclude: tuple[str, ...],
    exclude_file: tuple[str, ...],
    allow_public: bool,
    max_targets: int,
    port_spec: str | None,
    level: int,
    json_out: str | None,
    db: str | None,
    no_db: bool,
    resume: str | None,
    check_default_credentials: bool,
    credentials_file: str | None,
    verify: bool,
    internet_facing: tuple[str, ...],
    multicast: bool | None,
    quiet: bool,
    verbose: bool,
    fail_on: str | None,
    report_to: str | None,
    site: str | None,
    token_file: str | None,
    spool: str | None,
    **limit_values: Any,
) -> None:
    """Discover and identify the cameras at TARGETS (addresses, CIDRs, ranges, host names).

    Read-only: only fixed GET/HEAD/OPTIONS/DESCRIBE requests and discovery inquiries are sent.
    Exit status: 0; 2 for a usage error (nothing sent); 3 with --fail-on when such findings exist;
    130 when stopped by Ctrl-C (the audit is kept; the resume command is printed).
    """
    if quiet and verbose:
        raise click.UsageError("-q and -v contradict each other")
    check_writable(json_out, "--json")
    err = Console(stderr=True)
    display = ScanDisplay(err, ScanProgress(), QUIET if quiet else VERBOSE if verbose else NORMAL)
    outcome = Outcome(json_out, db, fail_on, display, recorded=not no_db)
    if resume is not None:
        if targets or input_lists or no_db or report_to:
            raise click.UsageError(
                "--resume takes the audit's own targets: give no targets, no --no-db, no --report-to"
            )
        limits = _limits(level, limit_values) if _explicitly_given() else None
        finish(_run(_resuming(db, resume, limits, display), db, False, display), outcome)
        return
    with fail_on_input_errors():
        if not targets and not input_lists:
            raise click.UsageError("give at least one target (or -iL FILE)")
        scope = Scope.parse(_split(targets), exclude=_split(exclude), target_files=input_lists,
                            exclude_files=exclude_file, allow_public=allow_public,
                            max_targets=max_targets)  # fmt: skip
        ports = parse_ports(port_spec) if port_spec is not None else None
        limits = _limits(level, limit_values)
        # Read before anything is probed: a malformed file stops here (file and line, never a secret).
        assessment = _assessment(
            check_default_credentials, credentials_file, verify, internet_networks(internet_facing)
        )
        reporter = open_reporter(report_to, site, token_file, spool)
    if multicast is None:
        multicast = default_multicast(scope)
    _announce(scope, limits, level, ports, multicast, assessment, display)

    async def work(register: Register | None, progress: ScanProgress, stop: asyncio.Event) -> ScanResult:
        # Assessed inside the recorded run, so the register gets the findings host by host.
        return await run_scan(scope, limits, multicast=multicast, on_host=display.on_host, register=register,
                              assessment=assessment, ports=ports, progress=progress, stop=stop,
                              reporter=reporter)  # fmt: skip

    with reporting(reporter, err):
        finish(_run(work, db, no_db, display), outcome)


def _resuming(
    db: str | None, audit_id: str, limits: Limits | None, display: ScanDisplay
) -> Callable[[Register | None, ScanProgress, asyncio.Event], Awaitable[ScanResult]]:
    async def work(register: Register | None, progress: ScanProgress, stop: asyncio.Event) -> ScanResult:
        assert register is not None  # --resume refuses --no-db
        with Reader(db) as reader:
            record = reader.audit(audit_id)
            left = len(record.scope) - len(reader.recorded_hosts(record.id))
            if display.verbosity > QUIET:
                display.err.print(f"camaudit: resuming audit {record.id}: {left} of {len(record.scope)} "
                                  "host(s) left to probe")  # fmt: skip
            return await resume_scan(register, reader, record.id, on_host=display.on_host, limits=limits,
                                     progress=progress, stop=stop)  # fmt: skip

    return work


def _assessment(
    check_defaults: bool, credentials_file: str | None, verify: bool, internet: tuple[Network, ...]
) -> AssessOptions:
    """The assessment options: CVE and exposure checks always, opt-in logins, --verify by default."""
    creds = load_credentials(credentials_file) if credentials_file is not None else None
    return AssessOptions(
        verify=verify, internet_facing=internet, check_default_credentials=check_defaults, credentials=creds
    )


def _pace(limits: Limits, level: int) -> str:
    if limits.max_rate is not None and limits.max_rate > limits.rate:
        return f"-T{level}: {limits.rate:g}/s rising to {limits.max_rate:g}/s while hosts stay healthy"
    return f"{limits.rate:g}/s" + (f" (-T{level})" if level != DEFAULT_TIMING else "")


def _announce(
    scope: Scope,
    limits: Limits,
    level: int,
    ports: PortSelection | None,
    multicast: bool,
    assessment: AssessOptions,
    display: ScanDisplay,
) -> None:
    """Say what will be sent before sending it: targets, pace, ports, logins."""
    if display.verbosity <= QUIET:
        return
    err = display.err
    chosen = f", ports {ports.spec}" if ports is not None else ""
    err.print(
        f"camaudit: {len(scope)} target(s), {_pace(limits, level)}, {limits.per_host} per host"
        f"{escape(chosen)}, read-only probes"
        + (", multicast discovery on the local segment" if multicast else "")
    )
    if assessment.check_default_credentials:
        err.print(escape(f"camaudit: {budget_text()}"))
    if isinstance(assessment.credentials, CredentialSet):
        err.print(
            f"camaudit: authenticated read-only audit with {len(assessment.credentials)} credential "
            "entr(ies): GET only, one login per read, stops at the first refusal"
        )
