"""`camaudit identify FILE|-`: who made this device, from evidence alone (nothing is sent).

Input is JSON lines, one device per line (`camaudit.sources.evidence`), or one raw reply pasted on
its own. Each line is judged by the same rules a scan uses; a malformed line is reported with its
number and the others are still judged. Exit status: 0, or 1 when any line was refused.
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

import click
from rich.console import Console

from camaudit.cli.render import visible
from camaudit.model import Device, Evidence
from camaudit.pipeline.evidence import judged
from camaudit.report.views.devices import device_json
from camaudit.sources import evidence

SCHEMA = "camaudit.identify/1"


def _verdict(device: Device) -> str:
    if device.manufacturer is None:
        return "maker unknown" + (" (evidence conflicts)" if device.conflicts else "")
    made = device.manufacturer
    sold = f" (sold as {device.brand})" if device.brand and device.brand != made else ""
    parts = [f"{made}{sold}", device.model, device.firmware, device.device_type]
    return "  ".join(str(p) for p in parts if p) + f"  confidence {device.confidence:.2f}"


def _evidence_line(ev: Evidence) -> str:
    claims = ", ".join(f"{k}={v}" for k, v in ev.claims.items()) or "no claim"
    rule = ev.rule_id or "(fact)"
    return f"    {ev.field} = {ev.value[:120]!r}  [{rule}: {claims}]"


def render(console: Console, line: evidence.Line, device: Device | None) -> None:
    label = visible(line.label)
    if line.error is not None:
        console.print(f"line {line.number}: [red]refused[/]: {visible(line.error)}")
        return
    if device is None:
        console.print(f"{label}: no evidence")
        return
    console.print(f"[bold]{label}[/]: {visible(_verdict(device))}")
    for ev in device.evidence:
        if ev.rule_id:
            console.print(visible(_evidence_line(ev)))
    for conflict in device.conflicts:
        console.print(f"    [yellow]conflict[/]: {visible(conflict)}")


def as_json(line: evidence.Line, device: Device | None) -> dict[str, object]:
    doc: dict[str, object] = {"schema": SCHEMA, "line": line.number, "label": line.label}
    if line.data is not None and isinstance(line.data.get("id"), str):
        doc["id"] = line.data["id"]
    if line.error is not None:
        doc["error"] = line.error
    else:
        doc["device"] = device_json(device) if device else None
    return doc


def run(stream: TextIO, *, json_out: bool, console: Console) -> int:
    refused = 0
    for line, device in judged(evidence.read(stream)):
        refused += line.error is not None
        if json_out:
            click.echo(json.dumps(as_json(line, device), ensure_ascii=False))
        else:
            render(console, line, device)
    return 1 if refused else 0


@click.command()
@click.argument("source", type=click.File("r", encoding="utf-8", errors="replace"), default="-")
@click.option("--json", "json_out", is_flag=True, help="One JSON object per input line.")
def identify(source: TextIO, json_out: bool) -> None:
    """Name the true maker of each device from evidence alone (JSON lines or one pasted reply).

    Nothing is sent anywhere. Each input line is {"ip": …, "evidence": [{"kind": "http", "raw": …}, …]};
    see README ("Identify from evidence") for the evidence kinds.
    """
    console = Console(width=None if sys.stdout.isatty() else 160, highlight=False)
    raise SystemExit(run(source, json_out=json_out, console=console))
