"""Options and console output for the assessment part of `camaudit scan` (findings per device)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from camaudit.assess.framework import Network
from camaudit.cli.render import visible
from camaudit.model import Device, Finding
from camaudit.report.views.findings import addresses

_ORDER = ("critical", "high", "medium", "low", "info")


def internet_networks(values: Sequence[str]) -> tuple[Network, ...]:
    """Parse ``--internet-facing`` CIDRs (comma-separated or repeated); a bad one is a usage error."""
    nets = []
    for part in (p.strip() for v in values for p in v.split(",")):
        if not part:
            continue
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise click.BadParameter(
                f"{part!r} is not an address or CIDR", param_hint="--internet-facing"
            ) from None
    return tuple(nets)


def _line(f: Finding) -> str:
    mark = escape(" [verified]") if f.verified else ""
    status = "" if f.status == "affected" else f" ({escape(f.status)}: {escape(f.details.get('reason', ''))})"
    kev = escape(" [CISA KEV]") if f.details.get("cisa_kev") == "true" else ""
    return f"    {f.severity.value:<8} {escape(f.check_id)}{kev}{mark}: {escape(f.title)}{status}"


def print_findings(devices: Sequence[Device], console: Console) -> None:
    """Findings per device, worst first; undetermined ones are counted, listed only with their reason."""
    for device in devices:
        if not device.findings:
            continue
        firm = [f for f in device.findings if f.status != "undetermined"]
        unsure = [f for f in device.findings if f.status == "undetermined"]
        who = f"{device.manufacturer or '?'} {device.model or ''}".strip()
        console.print(
            f"  {escape(device.ip)} ({escape(who)}): {len(firm)} finding(s), {len(unsure)} undetermined"
        )
        for f in sorted(firm, key=lambda f: _ORDER.index(f.severity.value)) + unsure:
            console.print(_line(f), highlight=False, soft_wrap=True)


def group_line(group: dict[str, Any]) -> str:
    """One check, once: severity, id, marks, title, then the devices it was found on."""
    marks = [m for m, on in (("CISA KEV", group["kev"]), (f"{group['verified']} verified", group["verified"]),
                             (f"CVSS {group['cvss']}", group["cvss"])) if on]  # fmt: skip
    shown = f" [{', '.join(marks)}]" if marks else ""
    fixed = f"; fixed in {group['fixed']}" if group["fixed"] else ""
    what = "undetermined on" if group["undetermined"] else "on"
    count = f"{group['count']} device{'s' if group['count'] != 1 else ''}"
    return (
        f"  {group['severity']:<8} {visible(group['check_id'])}{escape(shown)}: {visible(group['title'])}"
        f"{visible(fixed)} ({what} {count}: {visible(addresses(group))})"
    )


def print_groups(groups: Sequence[dict[str, Any]], console: Console) -> None:
    """Findings grouped by check, worst first; undetermined groups last and counted in one line."""
    firm = [g for g in groups if not g["undetermined"]]
    unsure = [g for g in groups if g["undetermined"]]
    if firm:
        console.print("Findings by check (camaudit findings --db … lists them again):", highlight=False)
    for group in firm:
        console.print(group_line(group), highlight=False, soft_wrap=True)
    if unsure:
        checks = ", ".join(visible(g["check_id"]) for g in unsure)
        devices = sum(g["count"] for g in unsure)
        console.print(f"  undetermined: {checks} on {devices} device(s) (-v shows why)", highlight=False)
