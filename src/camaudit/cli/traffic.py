"""`camaudit traffic FILE...`: where each camera's data went, from captures and logs already recorded.

Nothing is sent anywhere: the files (pcap/pcapng, Zeek logs, flow CSV) are read, devices are
identified passively with the same rules as `scan`, and each external destination is classified.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from camaudit.cli.errors import fail_on_input_errors
from camaudit.cli.register import db_option, register_errors
from camaudit.cli.render import cell, table_console, write_json
from camaudit.errors import InputError
from camaudit.pipeline.traffic import analyse_files, record
from camaudit.report.views.traffic import traffic_json
from camaudit.sources.passive.summary import Locality, parse_networks
from camaudit.store import Register, describe
from camaudit.traffic.egress import UPLOAD_THRESHOLD, DeviceTraffic, Policy

_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def _size(text: str, option: str = "--upload-threshold") -> int:
    value = text.strip().upper().removesuffix("B")
    unit = value[-1:] if value[-1:] in _UNITS else ""
    number = value[: len(value) - len(unit)]
    if not number.isdigit():
        raise InputError(f"{option}: not a size: {text!r} (e.g. 500M, 2G, 1048576)")
    return int(number) * _UNITS[unit]


def _networks(option: str, values: Sequence[str]) -> Any:
    try:
        return parse_networks(values)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def _countries(text: str | None) -> frozenset[str] | None:
    if text is None:
        return None
    codes = frozenset(c.strip().upper() for c in text.split(",") if c.strip())
    bad = sorted(c for c in codes if len(c) != 2 or not c.isalpha())
    if bad or not codes:
        raise InputError(f"--allowed-countries: expected ISO codes like GB,IE, got {text!r}")
    return codes


def _size_text(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)


def egress_table(devices: Sequence[DeviceTraffic]) -> Table:
    table = Table(title="Egress per device")
    for name in (
        "address",
        "MAC",
        "manufacturer",
        "brand",
        "destinations",
        "classification",
        "up",
        "down",
        "findings",
    ):
        table.add_column(name, overflow="fold")
    for dt in devices:
        d = dt.device
        shown = [
            e.destination.names[0][0] if e.destination.names else e.destination.remote for e in dt.egress
        ]
        classes = sorted({e.match.endpoint.id for e in dt.egress if e.match})
        extra = f" (+{len(shown) - 3})" if len(shown) > 3 else ""
        table.add_row(
            cell(d.ip),
            cell(d.mac),
            cell(d.manufacturer),
            cell(d.brand),
            cell(", ".join(shown[:3]) + extra),
            cell(", ".join(classes)),
            _size_text(sum(e.destination.bytes_up for e in dt.egress)),
            _size_text(sum(e.destination.bytes_down for e in dt.egress)),
            cell(
                ", ".join(
                    sorted(
                        {
                            f.check_id + (f" ({f.status})" if f.status != "observed" else "")
                            for f in d.findings
                        }
                    )
                )
            ),
        )
    return table


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--json", "json_out", metavar="FILE|-", help="Write devices, egress and counts as JSON ('-': stdout)."
)
@click.option(
    "--internal",
    multiple=True,
    metavar="CIDR",
    help="Networks that are ours besides the private ranges (comma-separated, repeatable).",
)
@click.option(
    "--closed-network",
    multiple=True,
    metavar="CIDR",
    help="Networks declared closed: any external contact from them is a finding; none is 'upheld'.",
)
@click.option("--allowed-countries", metavar="CC,CC", help="ISO codes data may go to; others are findings.")
@click.option("--all-devices", is_flag=True, help="Report every local address, not only identified cameras.")
@click.option(
    "--upload-threshold",
    default=str(UPLOAD_THRESHOLD),
    show_default=True,
    metavar="SIZE",
    help="Bytes up to one destination that count as a large upload (suffix K, M, G).",
)
@click.option(
    "--max-inflated",
    default="4G",
    show_default=True,
    metavar="SIZE",
    help="Bytes one gzip file may inflate to; past it the rest is not read (a warning says so).",
)
@click.option(
    "--max-inflate-ratio",
    type=click.FloatRange(min=1),
    default=200,
    show_default=True,
    help="Inflated bytes per compressed byte a gzip file may reach (decompression bombs are cut).",
)
@db_option
@click.option("--no-db", is_flag=True, help="Do not record the devices and findings in the register.")
def traffic(
    files: tuple[Path, ...],
    json_out: str | None,
    internal: tuple[str, ...],
    closed_network: tuple[str, ...],
    allowed_countries: str | None,
    all_devices: bool,
    upload_threshold: str,
    max_inflated: str,
    max_inflate_ratio: float,
    db: str | None,
    no_db: bool,
) -> None:
    """Say, per camera, where its data went: pcap/pcapng (gzip allowed), Zeek logs, NetFlow/IPFIX CSV."""
    with fail_on_input_errors():
        closed = _networks("--closed-network", closed_network)
        locality = Locality(internal=(*_networks("--internal", internal), *closed))
        policy = Policy(
            allowed_countries=_countries(allowed_countries),
            closed_networks=closed,
            upload_threshold=_size(upload_threshold),
        )
        result = analyse_files(
            files,
            locality,
            policy,
            all_devices=all_devices,
            max_inflated=_size(max_inflated, "--max-inflated"),
            max_inflate_ratio=max_inflate_ratio,
        )
    table_console(json_out, width=180).print(egress_table(result.devices))
    counts, kinds = result.traffic.counts, result.kinds
    err = Console(stderr=True)
    err.print(
        f"{len(kinds)} file(s), {counts.records} record(s) read, {counts.skipped} skipped, "
        f"{len(counts.warnings) + counts.warnings_dropped} warning(s)"
    )
    for w in counts.warnings[:10]:
        err.print(f"  warning: {escape(str(w))}")
    options = {
        "internal": list(internal),
        "closed_network": list(closed_network),
        "allowed_countries": sorted(policy.allowed_countries or ()),
        "all_devices": all_devices,
        "upload_threshold": policy.upload_threshold,
    }
    if not no_db:
        with register_errors(), Register(db) as register:
            audit_id = record(register, files, options, result)
        err.print(f"audit {audit_id} recorded in {escape(describe(db))}")
    if json_out:
        write_json(traffic_json(result, options), json_out)
