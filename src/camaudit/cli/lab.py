"""`camaudit lab ...`: run the emulated camera lab."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import click
from rich.console import Console
from rich.padding import Padding
from rich.table import Column, Table
from rich.text import Text

from camaudit.errors import CamauditError
from camaudit.lab.profile import load_profiles
from camaudit.lab.runner import DEFAULT_NETWORK, Lab
from camaudit.report.views.names import maker_name, type_name


@click.group()
def lab() -> None:
    """Run the emulated camera lab (for the demo and the tests)."""


@lab.command("list")
def list_profiles() -> None:
    """List the device profiles: who made each, what it is sold as, its ports and what it emulates
    (those served only when named with --profile are marked "opt-in")."""
    out = Console(highlight=False)
    # One block per device, not a six-column table: at 80 columns a table cut every description to
    # a few letters; here the lines wrap whole, indented under their device.
    for p in load_profiles(every=True):
        e = p.expected
        made = maker_name(e.manufacturer) if e.manufacturer else "no known maker"
        if e.brand and e.brand != e.manufacturer:
            made += f", sold as {maker_name(e.brand)}"
        kind = type_name(e.device_type) if e.device_type else "not a camera"
        ports = " ".join(s.key for s in p.services)
        name = p.id if p.default_lab else f"{p.id} (opt-in)"
        out.print(Text.assemble((name, "bold"), f"  {made} · {kind}"))
        for line in (f"ports {ports}", p.description):
            out.print(Padding(Text(line), (0, 0, 0, 4), expand=False))


@lab.command("serve")
@click.option(
    "--network", default=DEFAULT_NETWORK, show_default=True, help="Loopback network for the devices."
)
@click.option("--profile", "profiles", multiple=True, help="Serve only these profiles (repeatable).")
@click.option(
    "--manifest", type=click.Path(dir_okay=False, path_type=Path), help="Write the manifest JSON here."
)
@click.option(
    "--port-offset", default=0, show_default=True, help="Add N to every port (unprivileged fallback)."
)
@click.option(
    "--request-log", type=click.Path(dir_okay=False, path_type=Path), help="Append requests as JSONL."
)
@click.option("--only", help="Serve exactly this one profile at --address (used inside a namespace).")
@click.option("--address", help="The address for --only.")
@click.option("--netns", is_flag=True, help="Layer-2 lab: a network namespace per device on a bridge (root).")
def serve(
    network: str,
    profiles: tuple[str, ...],
    manifest: Path | None,
    port_offset: int,
    request_log: Path | None,
    only: str | None,
    address: str | None,
    netns: bool,
) -> None:
    """Serve the lab in the foreground until Ctrl-C or SIGTERM."""
    if netns:  # the layer-2 lab (camaudit.lab.netns); everything below is the loopback lab
        if only or address or port_offset or request_log or network != DEFAULT_NETWORK:
            raise click.UsageError("--netns takes only --profile and --manifest")
        _serve_netns(profiles, manifest)
        return
    if (only is None) != (address is None):
        raise click.UsageError("--only and --address go together")
    if only is not None and address is not None:
        runner = Lab([only], addresses={only: address}, port_offset=port_offset, request_log=request_log,
                     multicast=True)  # fmt: skip
    else:
        runner = Lab(profiles or None, network=network, port_offset=port_offset, request_log=request_log)
    try:
        asyncio.run(_serve(runner, manifest))
    except CamauditError as exc:
        raise click.ClickException(str(exc)) from exc


async def _serve(runner: Lab, manifest: Path | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with runner:
        if manifest is not None:
            runner.write_manifest(manifest)
        _print_table(runner)
        await stop.wait()


def _print_table(runner: Lab) -> None:
    table = Table(Column("profile", no_wrap=True), "address", "mac", "ports")
    for entry in runner.manifest():
        ports = " ".join(
            f"{k}" if int(k.split("/")[0]) == v else f"{k}->{v}" for k, v in entry["ports"].items()
        )
        table.add_row(entry["profile"], entry["address"], entry["mac"], ports)
    Console().print(table)
    Console().print(f"{len(runner.profiles)} devices up; Ctrl-C or SIGTERM stops the lab.")


def _serve_netns(profiles: tuple[str, ...], manifest: Path | None) -> None:
    from camaudit.lab import netns

    def ready(lab: netns.NetnsLab) -> None:
        table = Table(Column("profile", no_wrap=True), "address", "mac", "namespace")
        for entry, device in zip(lab.manifest(), lab.devices, strict=True):
            table.add_row(entry["profile"], entry["address"], entry["mac"], device.namespace)
        Console().print(table)
        scanner = lab.scanner_namespace
        Console().print(f"scanner {lab.scanner_address} in namespace {scanner}: ip netns exec {scanner} …")
        Console().print(f"{len(lab.devices)} devices up; Ctrl-C or SIGTERM stops the lab.")

    try:
        netns.serve(load_profiles(profiles or None), manifest=manifest, on_ready=ready)
    except CamauditError as exc:
        raise click.ClickException(str(exc)) from exc


if __name__ == "__main__":  # `python -m camaudit.cli.lab serve ...` works without the other commands
    lab(prog_name="camaudit lab")
