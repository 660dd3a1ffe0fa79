"""What `camaudit scan` shows and writes when it ends: the table, the summary, findings, the JSON file.

The table has one row per host that answered and the summary counts the same devices, so the two
always agree. A stopped scan says so, with the exact `--resume` command. A JSON file that cannot be
written after all goes to a fallback file, and the message says where the results are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from camaudit.cli.outputs import EXIT_FINDINGS, EXIT_INTERRUPTED, at_or_above, save_json
from camaudit.cli.progress import NORMAL, QUIET, VERBOSE, ScanDisplay, clock
from camaudit.cli.render import cell, table_console, visible
from camaudit.cli.scan_findings import print_findings, print_groups
from camaudit.model import Device
from camaudit.pipeline.scan import ScanResult
from camaudit.report.views.devices import scan_json
from camaudit.report.views.findings import of_devices
from camaudit.report.views.names import findings_phrase, identified, made_by, maker_name, type_name
from camaudit.store import describe


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where the results go and what decides the exit status.

    Attributes:
        json_out: the --json target, or None.
        db: the register named (None: the default one).
        fail_on: --fail-on severity, or None.
        display: the scan's terminal display (verbosity, stderr console).
        recorded: False with --no-db.
    """

    json_out: str | None
    db: str | None
    fail_on: str | None
    display: ScanDisplay
    recorded: bool = True


def _findings_cell(device: Device) -> str:
    phrase = findings_phrase(device.findings)
    return "-" if phrase == "no findings" else phrase.replace(" findings", "").replace(" finding", "")


def device_table(devices: Sequence[Device], title: str = "Devices") -> Table:
    """One row per host that answered, identified or not; people's names for makers and types."""
    table = Table(title=title, show_lines=False)
    for name in ("address", "MAC", "made by", "model", "firmware", "type", "findings"):
        table.add_column(name, overflow="fold")
    for d in devices:
        firmware = f"{d.firmware} (inferred)" if d.firmware and d.firmware_inferred else d.firmware
        table.add_row(
            cell(d.ip),
            cell(d.mac),
            cell(made_by(d) if identified(d) or d.brand else None),
            cell(d.model),
            cell(firmware),
            cell(type_name(d.device_type) if d.device_type else "not identified"),
            _findings_cell(d),
        )
    return table


def summary_lines(result: ScanResult, seconds: float) -> list[str]:
    """What answered and what it is, counted over exactly the devices the table lists."""
    devices = result.devices
    named = [d for d in devices if identified(d)]
    makers = Counter(maker_name(d.manufacturer) for d in named if d.manufacturer)
    listed = ", ".join(f"{escape(k)} {v}" for k, v in makers.most_common()) or "none"
    scope = len(result.audit.scope)
    lines = [
        f"{len(devices)} host(s) answered of {scope} probed in {clock(seconds)}: {len(named)} identified "
        f"(makers: {listed}), {len(devices) - len(named)} not identified"
    ]
    findings = [f for d in devices for f in d.findings if f.status != "undetermined"]
    if findings:
        worst = Counter(f.severity.value for f in findings)
        order = ("critical", "high", "medium", "low", "info")
        spread = ", ".join(f"{worst[s]} {s}" for s in order if worst[s])
        hit = sum(1 for d in devices if any(f.status != "undetermined" for f in d.findings))
        lines.append(f"{len(findings)} finding(s) on {hit} device(s): {spread}")
    if result.attempts:
        lines.append(f"{len(result.attempts)} probe attempt(s) failed (the JSON lists them under 'attempts')")
    return lines


def _findings(result: ScanResult, display: ScanDisplay) -> None:
    if display.verbosity >= VERBOSE:
        print_findings(result.devices, display.err)
    elif display.verbosity >= NORMAL:
        print_groups(of_devices(result.devices), display.err)


def _stopped(result: ScanResult, outcome: Outcome, err: Console) -> None:
    scope = len(result.audit.scope)
    err.print(
        f"camaudit: interrupted after {result.hosts_done} of {scope} host(s); the devices above are "
        "those of the finished hosts (a partial audit)"
    )
    if not outcome.recorded:
        err.print("not recorded (--no-db): there is nothing to resume; run the scan again to finish")
        return
    audit_id = result.audit.id
    # Never wrapped: the command is copied and pasted.
    where = escape(describe(outcome.db))
    err.print(f"audit {audit_id} is kept as partial in {where}; finish it with:", soft_wrap=True)
    err.print(f"  {escape(resume_command(audit_id, outcome.db))}", highlight=False, soft_wrap=True)


def resume_command(audit_id: str, db: str | None) -> str:
    """The exact command that finishes an audit (with the register named unless it is the default)."""
    where = f" --db {describe(db)}" if db is not None else ""
    return f"camaudit scan --resume {audit_id}{where}"


def _write_json(result: ScanResult, outcome: Outcome, err: Console) -> bool:
    """Write --json; on failure say where the data went instead. True when it was written as asked."""
    if outcome.json_out is None:
        return True
    fallback, error = save_json(scan_json(result), outcome.json_out, f"scan-{result.audit.id}.json")
    if error is None:
        return True
    err.print(f"camaudit: error: cannot write {visible(outcome.json_out)}: {visible(error)}")
    if fallback is not None:
        err.print(f"the scan JSON was written to {escape(str(fallback))} instead")
    if outcome.recorded:
        err.print(f"the audit is in the register: camaudit devices --audit {result.audit.id[:12]}")
    return False


def finish(result: ScanResult, outcome: Outcome) -> None:
    """Show and write the results, then exit with the status they call for (0 returns normally)."""
    display, err = outcome.display, outcome.display.err
    table_console(outcome.json_out).print(device_table(result.devices))
    if display.verbosity > QUIET:
        for line in summary_lines(result, display.elapsed()):
            err.print(line, highlight=False)
        _findings(result, display)
    if not result.complete:
        _stopped(result, outcome, err)
    elif outcome.recorded and display.verbosity > QUIET:
        err.print(f"audit {result.audit.id} recorded in {escape(describe(outcome.db))}", soft_wrap=True)
    written = _write_json(result, outcome, err)
    if not result.complete:
        raise SystemExit(EXIT_INTERRUPTED)
    if not written:
        raise SystemExit(1)
    if outcome.fail_on and at_or_above((f for d in result.devices for f in d.findings), outcome.fail_on):
        raise SystemExit(EXIT_FINDINGS)
