"""Types shared by every probe module (not a probe itself, hence the underscore).

STYLE.md R3: a probe module exposes ``NAME``, ``PORTS``, ``JOBS``, ``STAGE``, ``async def probe(target,
conn)`` and ``PROBE`` (the registry entry). One call of ``probe`` is one job and makes at most one
connection, always through the `Connector`. A ``FOLLOW`` probe also exposes ``plan(ip, observations)``:
its jobs are chosen from what the host has already said (an SSDP reply's LOCATION), never from a list.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from camaudit.model import Observation, ProbeAttempt, ProbeStatus, Transport
from camaudit.net.connector import Connector


class Stage(StrEnum):
    """When a probe runs (sslyze: connectivity first, then the scan commands)."""

    REACH = "reach"  # on every in-scope host: the TCP sweep and unicast UDP discovery
    SERVICE = "service"  # only on ports the sweep found open
    LOCAL = "local"  # reads local state (the neighbour table); sends nothing
    FOLLOW = "follow"  # last: jobs planned from the host's own observations (`Probe.plan`)


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    """One job: which address and port, and which of the probe's jobs (an HTTP path, an RTSP method …).

    Attributes:
        ip: the address (always inside the scope).
        port: the port the job is for.
        transport: tcp or udp.
        job: one of the probe's ``JOBS`` ("" for single-job probes).
        mac: the layer-2 address when already known.
    """

    ip: str
    port: int
    transport: Transport = Transport.TCP
    job: str = ""
    mac: str | None = None


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What one job produced: observations and the attempt records (successes and failures)."""

    observations: tuple[Observation, ...] = ()
    attempts: tuple[ProbeAttempt, ...] = ()


ProbeFunc = Callable[[ProbeTarget, Connector], Awaitable[ProbeResult]]
# (address, what that address has said so far) -> the follow-up jobs worth one request each.
Planner = Callable[[str, Sequence[Observation]], Sequence[ProbeTarget]]


@dataclass(frozen=True, slots=True)
class Probe:
    """A registry entry: see `camaudit.sources.probes.PROBES`."""

    name: str
    ports: tuple[tuple[int, Transport], ...]
    run: ProbeFunc
    stage: Stage = Stage.SERVICE
    jobs: tuple[str, ...] = ("",)
    plan: Planner | None = None  # FOLLOW probes only

    def __post_init__(self) -> None:
        if (self.stage is Stage.FOLLOW) != (self.plan is not None):
            raise ValueError(f"probe {self.name}: a FOLLOW probe, and only one, plans its own jobs")

    def targets(
        self, ip: str, open_ports: frozenset[tuple[int, Transport]] | None = None
    ) -> list[ProbeTarget]:
        """Every job of this probe for one host; SERVICE probes only on ports found open."""
        if self.stage is Stage.FOLLOW:
            return []  # see `follow`
        if self.stage is Stage.LOCAL:
            return [ProbeTarget(ip=ip, port=0, transport=Transport.NONE, job=job) for job in self.jobs]
        return [
            ProbeTarget(ip=ip, port=port, transport=transport, job=job)
            for port, transport in self.ports
            if open_ports is None or self.stage is not Stage.SERVICE or (port, transport) in open_ports
            for job in self.jobs
        ]

    def follow(self, ip: str, observations: Sequence[Observation]) -> list[ProbeTarget]:
        """The FOLLOW jobs for one host, planned from its observations (only this address's own)."""
        if self.plan is None:
            return []
        own = [o for o in observations if o.ip == ip]
        return [t for t in self.plan(ip, own) if t.ip == ip]


def observe(
    name: str,
    target: ProbeTarget,
    *,
    protocol: str,
    kind: str,
    fields: Mapping[str, str],
    raw: bytes = b"",
    mac: str | None = None,
) -> Observation:
    """An Observation with the conventions every probe follows (source ``probe:<name>``)."""
    return Observation(
        source=f"probe:{name}",
        ip=target.ip,
        port=target.port,
        transport=target.transport,
        protocol=protocol,
        kind=kind,
        fields=dict(fields),
        raw=raw,
        mac=mac or target.mac,
    )


def failed(attempt: ProbeAttempt, status: ProbeStatus, reason: str) -> ProbeAttempt:
    """The same attempt, marked as failed after the fact (e.g. the bytes did not parse).

    An attempt that already failed (timeout, too_large …) keeps its status: that is the first cause.
    """
    if attempt.status is not ProbeStatus.OK:
        return attempt
    return dataclasses.replace(attempt, status=status, error_reason=reason[:200])


def only(attempt: ProbeAttempt) -> ProbeResult:
    return ProbeResult(attempts=(attempt,))
