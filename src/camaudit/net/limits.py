"""How hard camaudit may push the network, and the gate every connection and datagram passes.

STYLE.md R3 (after sslyze's Scanner, which owns per-server and global limits): an address outside the
`Scope` is never contacted; a global and a per-host concurrency limit hold (per-host keeps a fragile DVR
from being flooded); a token bucket paces new connections and datagrams.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from camaudit.net.rate import RateController, Signal
from camaudit.scope import Scope


@dataclass(frozen=True, slots=True)
class Limits:
    """How hard camaudit may push the network.

    Attributes:
        rate: new connections plus datagrams per second, overall, at the start (and at most, when there
            is no `max_rate`). The rate falls below it when a host shows distress.
        max_rate: the ceiling the rate may rise to while no host shows distress (None: never above
            `rate`).
        burst: how many of those may start back to back before the rate applies.
        concurrency: connections/exchanges in flight, overall.
        per_host: connections/exchanges in flight to one address.
        connect_timeout: seconds to establish TCP (and finish a TLS handshake).
        read_timeout: seconds for the whole reply, from the moment the request is sent.
        read_cap: bytes read per exchange at most; more is ``too_large``.
        udp_wait: seconds to wait for a unicast UDP discovery reply.
    """

    rate: float = 200.0
    max_rate: float | None = None
    burst: int = 10
    concurrency: int = 256
    per_host: int = 4
    connect_timeout: float = 3.0
    read_timeout: float = 3.0
    read_cap: int = 64 * 1024
    udp_wait: float = 1.5

    def __post_init__(self) -> None:
        for name in ("rate", "connect_timeout", "read_timeout", "udp_wait"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be positive")
        for name in ("burst", "concurrency", "per_host", "read_cap"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be at least 1")
        if self.max_rate is not None and self.max_rate < self.rate:
            raise ValueError("Limits.max_rate must not be below Limits.rate")


DEFAULT_TIMING = 3
# nmap's templates (man nmap, "Timing and Performance") in camaudit's terms. T0-T2 send one probe at a
# time with nmap's spacing (5 min, 15 s, 0.4 s); T3-T5 start at a rate and may rise to a ceiling while
# no host shows distress. Per-host concurrency stays at 4 from T3 up: it protects fragile cameras.
TIMING: dict[int, Limits] = {
    0: Limits(rate=1 / 300, burst=1, concurrency=1, per_host=1, connect_timeout=10, read_timeout=10,
              udp_wait=5),
    1: Limits(rate=1 / 15, burst=1, concurrency=1, per_host=1, connect_timeout=10, read_timeout=10,
              udp_wait=5),
    2: Limits(rate=2.5, burst=1, concurrency=16, per_host=1, connect_timeout=5, read_timeout=5, udp_wait=3),
    3: Limits(rate=200, max_rate=2000),
    4: Limits(rate=500, max_rate=5000, burst=20, concurrency=512, connect_timeout=2, read_timeout=2,
              udp_wait=1),
    5: Limits(rate=1000, max_rate=10000, burst=50, concurrency=512, connect_timeout=1, read_timeout=1,
              udp_wait=0.75),
}  # fmt: skip
TIMING_NAMES = {0: "paranoid", 1: "sneaky", 2: "polite", 3: "normal", 4: "aggressive", 5: "insane"}


def timing(level: int = DEFAULT_TIMING, **overrides: Any) -> Limits:
    """The limits of template ``-T<level>`` with some fields replaced.

    A rate the user names is never exceeded: an explicit `rate` without `max_rate` is fixed, and an
    explicit `max_rate` below the template's starting rate lowers the start to it.
    """
    fields = {name: getattr(TIMING[level], name) for name in Limits.__dataclass_fields__}
    if "rate" in overrides and "max_rate" not in overrides:
        overrides["max_rate"] = None
    fields.update(overrides)
    ceiling = fields["max_rate"]
    if ceiling is not None and "rate" not in overrides and ceiling < fields["rate"]:
        fields["rate"] = ceiling
    return Limits(**fields)


class TokenBucket:
    """Classic token bucket: `rate` tokens per second, at most `burst` saved up. Waiters queue FIFO.

    With a `controller`, the rate is the controller's current one, and waiting tells it that the rate
    is what holds the run back.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        controller: RateController | None = None,
    ) -> None:
        self._rate = rate
        self._controller = controller
        self._burst = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._last = clock()
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                if self._controller is not None:
                    self._rate = self._controller.tick()
                self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
                self._last = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                if self._controller is not None:
                    self._controller.limited()
                await asyncio.sleep((1.0 - self._tokens) / self._rate)


class Gate:
    """Scope, concurrency and rate for one run: every connection or datagram waits here first."""

    def __init__(self, limits: Limits, scope: Scope) -> None:
        self.limits = limits
        self.scope = scope
        self.opened = 0  # connections and datagrams actually started (for tests and benchmarks)
        self._global = asyncio.Semaphore(limits.concurrency)
        self._hosts: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}
        self.rate = RateController(limits.rate, limits.max_rate)
        self._bucket = TokenBucket(limits.rate, limits.burst, controller=self.rate)

    @contextlib.asynccontextmanager
    async def slot(self, ip: str) -> AsyncIterator[None]:
        """One exchange with `ip`: a per-host place, a global place and a token, held until it is over."""
        sem, users = self._hosts.setdefault(ip, (asyncio.Semaphore(self.limits.per_host), [0]))
        users[0] += 1
        try:
            async with sem, self._global:
                await self.token()
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._hosts.pop(ip, None)

    async def token(self) -> None:
        """Pace one new connection or datagram (a sweep sends many from one socket, each paced)."""
        await self._bucket.take()
        self.opened += 1

    @contextlib.asynccontextmanager
    async def send_slot(self) -> AsyncIterator[None]:
        """A global place and a token for one datagram of a sweep."""
        async with self._global:
            await self.token()
            yield

    def note(self, signal: Signal) -> None:
        """How an exchange went: the rate rises while hosts stay healthy and falls when one is not."""
        self.rate.note(signal)

    @property
    def busy_hosts(self) -> int:
        return len(self._hosts)
