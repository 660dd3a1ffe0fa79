"""The kernel's neighbour table: MAC addresses of hosts on the local segment. Sends no packets.

IPv4 comes from ``/proc/net/arp`` (proc(5): columns IP address, HW type, Flags, HW address, Mask,
Device; flag 0x2 = ATF_COM, a complete entry). IPv6 comes from ``ip -6 neigh show`` (ip-neighbour(8):
``<addr> dev <if> lladdr <mac> [router] <STATE>``). Run it after the TCP sweep: the sweep's own
connections are what fill the table for the hosts that answered.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

from camaudit.model import Observation, ProbeAttempt, ProbeStatus, Transport
from camaudit.net.connector import Connector
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage
from camaudit.values import normalise_mac

NAME = "neighbour"
PORTS: tuple[tuple[int, Transport], ...] = ()  # no packets: one local job per host
STAGE = Stage.LOCAL
ARP_TABLE = Path("/proc/net/arp")
MAX_TABLE = 4 * 1024 * 1024  # bytes read from the table or from `ip` output
_ATF_COM = 0x2
_IP_NEIGH = re.compile(r"^(?P<ip>\S+) .*\blladdr (?P<mac>[0-9a-fA-F:]{17})\b")


def parse_proc_net_arp(text: str) -> dict[str, str]:
    """Complete entries of /proc/net/arp as {ip: mac}."""
    table: dict[str, str] = {}
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) < 4:
            continue
        try:
            complete = int(parts[2], 16) & _ATF_COM
        except ValueError:
            continue
        mac = normalise_mac(parts[3])
        if complete and mac and mac != "00:00:00:00:00:00":
            table[parts[0]] = mac
    return table


def parse_ip_neigh(text: str) -> dict[str, str]:
    """Entries with a link-layer address from `ip neigh show` output as {ip: mac}."""
    table: dict[str, str] = {}
    for line in text.splitlines():
        match = _IP_NEIGH.match(line.strip())
        if match and "FAILED" not in line and "INCOMPLETE" not in line:
            mac = normalise_mac(match["mac"])
            if mac:
                table[match["ip"]] = mac
    return table


async def _ip_neigh() -> str:
    proc = await asyncio.create_subprocess_exec(
        "ip", "-6", "neigh", "show", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), 5)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    return out[:MAX_TABLE].decode("utf-8", "replace")


async def read_table(ip: str) -> dict[str, str]:
    """The neighbour table of the address family of `ip`."""
    if ":" in ip:
        return parse_ip_neigh(await _ip_neigh())
    with ARP_TABLE.open("rb") as handle:
        return parse_proc_net_arp(handle.read(MAX_TABLE).decode("ascii", "replace"))


def _attempt(ip: str, status: ProbeStatus, reason: str | None, start: float) -> ProbeAttempt:
    elapsed = round((time.monotonic() - start) * 1000, 3)
    return ProbeAttempt(NAME, ip, None, Transport.NONE, status, reason, duration_ms=elapsed)


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    start = time.monotonic()
    try:
        table = await read_table(target.ip)
    except (OSError, TimeoutError) as exc:
        return ProbeResult(attempts=(_attempt(target.ip, ProbeStatus.ERROR, str(exc)[:200], start),))
    mac = table.get(target.ip)
    if mac is None:
        reason = "not in the neighbour table (not on the local segment?)"
        return ProbeResult(attempts=(_attempt(target.ip, ProbeStatus.SKIPPED, reason, start),))
    seen = Observation(
        source=f"probe:{NAME}",
        ip=target.ip,
        port=None,
        transport=Transport.NONE,
        protocol="arp",
        kind="neighbour",
        fields={"mac.address": mac},
        mac=mac,
    )
    return ProbeResult(observations=(seen,), attempts=(_attempt(target.ip, ProbeStatus.OK, None, start),))


PROBE = Probe(NAME, PORTS, probe, STAGE)
