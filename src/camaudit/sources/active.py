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
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

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


@dataclass(slots=True)
class Tally:
    """Live counters of an active scan: the scan writes them, whoever shows progress reads them.

    Attributes:
        hosts: addresses in scope.
        reach_planned: reachability probes planned (TCP connects and unicast discovery datagrams).
        reach_done: those finished.
        answering: addresses that answered anything (an open port, a discovery reply).
        probing: hosts past reachability whose service probes are running.
        hosts_done: hosts whose every probe is done.
    """

    hosts: int = 0
    reach_planned: int = 0
    reach_done: int = 0
    answering: set[str] = field(default_factory=set)
    probing: int = 0
    hosts_done: int = 0


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


async def _stage(
    jobs: Sequence[tuple[Probe, ProbeTarget]], conn: Connector, tally: Tally | None = None
) -> list[ProbeResult]:
    """Run one stage's jobs together; with a `tally`, each finished job counts as a reachability probe."""

    async def counted(probe: Probe, target: ProbeTarget) -> ProbeResult:
        result = await _run_job(probe, target, conn)
        if tally is not None:
            tally.reach_done += 1
        return result

    return list(await asyncio.gather(*(counted(p, t) for p, t in jobs)))


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
    tally: Tally | None = None,
) -> HostResult:
    """All stages for one host; `extra` are observations already made (e.g. multicast replies), `swept` the
    unicast discovery sweep of the host's block, merged when its shared reply window has closed."""
    count = tally if tally is not None else Tally()
    first = await _probe(ip, conn, probes, extra, count)
    return await _conclude(ip, conn, probes, extra, swept, first, count)


async def _probe(
    ip: str, conn: Connector, probes: Sequence[Probe], extra: Sequence[Observation], tally: Tally
) -> list[ProbeResult]:
    """Reachability, then service probes on the ports found open, then local state."""
    reach = await _stage(_jobs(probes, Stage.REACH, ip), conn, tally)
    open_ports = _merge(ip, reach).open_ports
    if open_ports or extra:
        tally.answering.add(ip)
    tally.probing += 1
    try:
        service = await _stage(_jobs(probes, Stage.SERVICE, ip, open_ports), conn)
        local = await _stage(_jobs(probes, Stage.LOCAL, ip), conn)
    finally:
        tally.probing -= 1
    return [*reach, *service, *local]


async def _conclude(
    ip: str,
    conn: Connector,
    probes: Sequence[Probe],
    extra: Sequence[Observation],
    swept: Awaitable[Mapping[str, ProbeResult]] | None,
    first: list[ProbeResult],
    tally: Tally,
) -> HostResult:
    """The sweep's replies once its window has closed, then the follow-up requests they call for."""
    from_sweep = (await swept).get(ip) if swept is not None else None
    done = [*first, *([from_sweep] if from_sweep else [])]
    follow = await _stage(_follow_jobs(probes, ip, _merge(ip, done, extra).observations), conn)
    tally.hosts_done += 1
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
    conn: Connector | None = None,
    tally: Tally | None = None,
    stop: asyncio.Event | None = None,
) -> AsyncIterator[HostResult]:
    """Probe every address of `scope`; yield one `HostResult` per host as each completes.

    With `multicast`, SADP/DHIP/WS-Discovery/SSDP/mDNS are first sent to their groups (TTL 1) from
    `multicast_source`; replies from in-scope hosts join those hosts' results, replies from other
    addresses are yielded as ``seen_out_of_scope`` results and never probed.

    `conn` shares one Connector (and so one rate and one set of limits) with the caller's own requests;
    `tally` is kept up to date for progress; when `stop` is set, no further host is started, hosts in
    flight are abandoned (not yielded) and the iteration ends.
    """
    conn = conn or Connector(limits, scope=scope, port_map=port_map)
    tally = tally if tally is not None else Tally()
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
    async for result in _scan_all(scope, conn, probes, known, limits, tally, stop):
        await _notify(on_host, result)
        yield result


def _plan(tally: Tally, scope: Scope, probes: Sequence[Probe], swept: int) -> None:
    """What the reachability stage will send: every host's REACH jobs and one datagram per sweep."""
    per_host = sum(len(p.targets("")) for p in probes if p.stage is Stage.REACH)  # jobs per address
    tally.hosts = len(scope)
    tally.reach_planned = len(scope) * (per_host + swept)


async def _swept_block(
    ips: Sequence[str], conn: Connector, modules: Sequence[ModuleType], tally: Tally
) -> dict[str, ProbeResult]:
    def sent() -> None:
        tally.reach_done += 1

    found = await sweep.sweep(ips, conn, modules, on_sent=sent)
    tally.answering.update(found)
    return found


async def _scan_all(
    scope: Scope,
    conn: Connector,
    probes: Sequence[Probe],
    known: Mapping[str, Sequence[Observation]],
    limits: Limits,
    tally: Tally,
    stop: asyncio.Event | None,
) -> AsyncIterator[HostResult]:
    """Hosts in parallel (bounded), results in completion order, until done or `stop` is set."""
    queue: asyncio.Queue[HostResult | None] = asyncio.Queue()
    hosts = iter(enumerate(scope.addresses))
    width = max(1, min(len(scope), limits.concurrency // limits.per_host))
    swept_modules = [m for m in sweep.SWEPT if any(p.name == m.NAME for p in probes)]
    per_host = [p for p in probes if p.name not in sweep.SWEPT_NAMES]
    _plan(tally, scope, per_host, len(swept_modules))
    tally.answering.update(ip for ip in known if scope.contains(ip))
    blocks: dict[int, asyncio.Task[dict[str, ProbeResult]]] = {}

    def block_of(index: int) -> asyncio.Task[dict[str, ProbeResult]] | None:
        if not swept_modules:
            return None
        number = index // sweep.BLOCK
        if number not in blocks:  # started by the first host taken from the block
            ips = scope.addresses[number * sweep.BLOCK : (number + 1) * sweep.BLOCK]
            blocks[number] = asyncio.ensure_future(_swept_block(ips, conn, swept_modules, tally))
        return blocks[number]

    concluding: list[asyncio.Task[None]] = []

    async def conclude(ip: str, swept: Any, first: list[ProbeResult]) -> None:
        await queue.put(await _conclude(ip, conn, per_host, known.get(ip, ()), swept, first, tally))

    async def worker() -> None:
        # A worker probes one host at a time; waiting for the host's sweep window (and its follow-up
        # requests) happens outside the worker, so the window never holds back the next host.
        for index, ip in hosts:  # a shared iterator: each host is taken by exactly one worker
            if stop is not None and stop.is_set():
                return
            swept = block_of(index)
            first = await _probe(ip, conn, per_host, known.get(ip, ()), tally)
            concluding.append(asyncio.ensure_future(conclude(ip, swept, first)))

    async def stopper() -> None:
        if stop is not None:
            await stop.wait()
            queue.put_nowait(None)  # ends the iteration below at once

    tasks = [asyncio.ensure_future(worker()) for _ in range(width)]
    watch = asyncio.ensure_future(stopper())
    try:
        for _ in range(len(scope)):
            result = await queue.get()
            if result is None:
                return
            yield result
    finally:
        everything = [*tasks, *concluding, *blocks.values(), watch]
        for task in everything:
            task.cancel()
        await asyncio.gather(*everything, return_exceptions=True)
