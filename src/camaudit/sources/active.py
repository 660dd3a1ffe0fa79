"""Active discovery: probe every in-scope host, read-only, and stream results host by host.

Order per host (STYLE.md R3, sslyze's "connectivity first"): the reachability stage (TCP connect sweep
plus unicast UDP discovery: SADP, DHIP, Dahua legacy, WS-Discovery, SSDP, mDNS), then service probes
only on the TCP ports that answered, then the local neighbour table (filled by the sweep's own
traffic), then the follow-up stage, whose jobs come from what the host itself said (the UPnP
description its SSDP reply names). A host's `HostResult` is yielded as soon as that host is done. Every
job goes through one `Connector`, so the scope, rate, concurrency, timeouts and byte caps hold for the
whole run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from camaudit.model import Observation, ProbeAttempt, ProbeStatus, Transport
from camaudit.net.connector import Connector
from camaudit.net.limits import Limits
from camaudit.scope import Scope
from camaudit.sources import sweep
from camaudit.sources.probes import PROBES, Probe, ProbeResult, ProbeTarget, Stage


@dataclass(frozen=True, slots=True)
class HostResult:
    """Everything learnt about one address.

    Attributes:
        ip: the address.
        observations: what the probes saw (MAC filled in where any probe learnt it).
        attempts: every probe attempt, successful or not.
        seen_out_of_scope: True for an address that answered multicast discovery but is not in the
            scope: recorded as seen, never probed.
    """

    ip: str
    observations: tuple[Observation, ...] = ()
    attempts: tuple[ProbeAttempt, ...] = ()
    seen_out_of_scope: bool = False

    @property
    def open_ports(self) -> frozenset[tuple[int, Transport]]:
        return frozenset(
            (o.port, o.transport) for o in self.observations if o.kind == "tcp.open" and o.port is not None
        )


OnHost = Callable[[HostResult], Awaitable[None] | None]


async def _run_job(probe: Probe, target: ProbeTarget, conn: Connector) -> ProbeResult:
    """Run one job; a bug in a probe becomes an ``error`` attempt, never a lost exception."""
    try:
        return await probe.run(target, conn)
    except Exception as exc:
        attempt = ProbeAttempt(
            probe=probe.name,
            ip=target.ip,
            port=target.port or None,
            transport=target.transport,
            status=ProbeStatus.ERROR,
            error_reason=f"probe failed: {type(exc).__name__}: {exc}"[:200],
        )
        return ProbeResult(attempts=(attempt,))


async def _stage(jobs: Sequence[tuple[Probe, ProbeTarget]], conn: Connector) -> list[ProbeResult]:
    return list(await asyncio.gather(*(_run_job(p, t, conn) for p, t in jobs)))


def _jobs(
    probes: Iterable[Probe], stage: Stage, ip: str, open_ports: frozenset[tuple[int, Transport]] | None = None
) -> list[tuple[Probe, ProbeTarget]]:
    return [(p, t) for p in probes if p.stage is stage for t in p.targets(ip, open_ports)]


def _follow_jobs(
    probes: Iterable[Probe], ip: str, observations: Sequence[Observation]
) -> list[tuple[Probe, ProbeTarget]]:
    return [(p, t) for p in probes if p.stage is Stage.FOLLOW for t in p.follow(ip, observations)]


def _merge(ip: str, results: Iterable[ProbeResult], extra: Sequence[Observation] = ()) -> HostResult:
    observations = [*extra, *(o for r in results for o in r.observations)]
    attempts = tuple(a for r in results for a in r.attempts)
    # Only a layer-2 MAC (the neighbour table) is copied to the host's observations, never a claimed one.
    mac = next((o.mac for o in observations if o.mac and o.kind == "neighbour"), None)
    if mac:
        observations = [o if o.mac else dataclasses.replace(o, mac=mac) for o in observations]
    return HostResult(ip=ip, observations=tuple(observations), attempts=attempts)


async def scan_host(
    ip: str,
    conn: Connector,
    probes: Sequence[Probe] = PROBES,
    extra: Sequence[Observation] = (),
    swept: Awaitable[Mapping[str, ProbeResult]] | None = None,
) -> HostResult:
    """All stages for one host; `extra` are observations already made (e.g. multicast replies), `swept` the
    unicast discovery sweep of the host's block, merged when its shared reply window has closed."""
    reach = await _stage(_jobs(probes, Stage.REACH, ip), conn)
    open_ports = _merge(ip, reach).open_ports
    service = await _stage(_jobs(probes, Stage.SERVICE, ip, open_ports), conn)
    local = await _stage(_jobs(probes, Stage.LOCAL, ip), conn)
    from_sweep = (await swept).get(ip) if swept is not None else None
    done = [*reach, *service, *local, *([from_sweep] if from_sweep else [])]
    follow = await _stage(_follow_jobs(probes, ip, _merge(ip, done, extra).observations), conn)
    return _merge(ip, [*done, *follow], extra)


async def _notify(on_host: OnHost | None, result: HostResult) -> None:
    if on_host is None:
        return
    outcome = on_host(result)
    if inspect.isawaitable(outcome):
        await outcome


async def observe(
    scope: Scope,
    limits: Limits,
    *,
    multicast: bool = False,
    on_host: OnHost | None = None,
    probes: Sequence[Probe] = PROBES,
    port_map: Mapping[tuple[int, Transport], int] | None = None,
    multicast_source: str = "0.0.0.0",  # noqa: S104 - the default interface, not a bind-all server
    multicast_seconds: float = 3.0,
) -> AsyncIterator[HostResult]:
    """Probe every address of `scope`; yield one `HostResult` per host as each completes.

    With `multicast`, SADP/DHIP/WS-Discovery/SSDP/mDNS are first sent to their groups (TTL 1) from
    `multicast_source`; replies from in-scope hosts join those hosts' results, replies from other
    addresses are yielded as ``seen_out_of_scope`` results and never probed.
    """
    conn = Connector(limits, scope=scope, port_map=port_map)
    known: dict[str, list[Observation]] = {}
    if multicast:
        from camaudit.sources.multicast import discover, source_for

        if multicast_source == "0.0.0.0" and scope.addresses:  # noqa: S104 - the "not chosen" marker
            multicast_source = source_for(scope.addresses[0])
        heard = await discover(multicast_source, seconds=multicast_seconds)
        for obs in heard:
            known.setdefault(obs.ip, []).append(obs)
        for ip, seen in sorted(known.items()):
            if not scope.contains(ip):
                result = HostResult(ip=ip, observations=tuple(seen), seen_out_of_scope=True)
                await _notify(on_host, result)
                yield result
    async for result in _scan_all(scope, conn, probes, known, limits):
        await _notify(on_host, result)
        yield result


async def _scan_all(
    scope: Scope,
    conn: Connector,
    probes: Sequence[Probe],
    known: Mapping[str, Sequence[Observation]],
    limits: Limits,
) -> AsyncIterator[HostResult]:
    """Hosts in parallel (bounded), results in completion order."""
    queue: asyncio.Queue[HostResult] = asyncio.Queue()
    hosts = iter(enumerate(scope.addresses))
    width = max(1, min(len(scope), limits.concurrency // limits.per_host))
    swept_modules = [m for m in sweep.SWEPT if any(p.name == m.NAME for p in probes)]
    per_host = [p for p in probes if p.name not in sweep.SWEPT_NAMES]
    blocks: dict[int, asyncio.Task[dict[str, ProbeResult]]] = {}

    def block_of(index: int) -> asyncio.Task[dict[str, ProbeResult]] | None:
        if not swept_modules:
            return None
        number = index // sweep.BLOCK
        if number not in blocks:  # started by the first host taken from the block
            ips = scope.addresses[number * sweep.BLOCK : (number + 1) * sweep.BLOCK]
            blocks[number] = asyncio.ensure_future(sweep.sweep(ips, conn, swept_modules))
        return blocks[number]

    async def worker() -> None:
        for index, ip in hosts:  # a shared iterator: each host is taken by exactly one worker
            swept = block_of(index)
            await queue.put(await scan_host(ip, conn, per_host, known.get(ip, ()), swept))

    tasks = [asyncio.ensure_future(worker()) for _ in range(width)]
    try:
        for _ in range(len(scope)):
            yield await queue.get()
    finally:
        for task in [*tasks, *blocks.values()]:
            task.cancel()
        await asyncio.gather(*tasks, *blocks.values(), return_exceptions=True)
