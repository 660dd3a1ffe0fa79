"""Unicast discovery sweep: ask every in-scope host at once, then listen once.

SADP, DHIP, Dahua legacy discovery, WS-Discovery, SSDP and mDNS are sent unicast to each host because
multicast does not cross routers (devices.md §10). Most hosts never answer, so waiting per host cost one
reply window each; here a block of hosts shares one window per protocol, through the Connector's rate
limit and scope.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from types import ModuleType

from camaudit.model import Transport
from camaudit.net.connector import Connector
from camaudit.sources.probes import _udp, dhip, dvrip_legacy, mdns, sadp, ssdp, wsdiscovery
from camaudit.sources.probes._base import ProbeResult, ProbeTarget

SWEPT: tuple[ModuleType, ...] = (sadp, dhip, dvrip_legacy, wsdiscovery, ssdp, mdns)
SWEPT_NAMES = frozenset(m.NAME for m in SWEPT)
BLOCK = 256  # hosts per shared reply window: bounded sockets and memory, early results on large scopes


async def _one(
    module: ModuleType, ips: Sequence[str], conn: Connector, on_sent: Callable[[], None] | None
) -> dict[str, ProbeResult]:
    port = module.PORTS[0][0]
    exchanges = await conn.sweep_udp(ips, port, module.REQUEST(), probe=module.NAME, on_sent=on_sent)
    return {
        ip: _udp.decoded(module.NAME, ProbeTarget(ip, port, Transport.UDP), ex, kind=module.KIND,
                         decode=module.decode)
        for ip, ex in exchanges.items()
    }  # fmt: skip


async def sweep(
    ips: Sequence[str],
    conn: Connector,
    modules: Sequence[ModuleType] = SWEPT,
    on_sent: Callable[[], None] | None = None,
) -> dict[str, ProbeResult]:
    """Replies per address (only addresses that answered), every protocol of `modules` in parallel;
    `on_sent` is called after each datagram (progress)."""
    merged: dict[str, ProbeResult] = {}
    for results in await asyncio.gather(*(_one(m, ips, conn, on_sent) for m in modules)):
        for ip, found in results.items():
            before = merged.get(ip, ProbeResult())
            merged[ip] = ProbeResult(
                before.observations + found.observations, before.attempts + found.attempts
            )
    return merged
