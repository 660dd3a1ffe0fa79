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

from camaudit.scope import Scope


@dataclass(frozen=True, slots=True)
class Limits:
    """How hard camaudit may push the network.

    Attributes:
        rate: new connections plus datagrams per second, overall.
        burst: how many of those may start back to back before the rate applies.
        concurrency: connections/exchanges in flight, overall.
        per_host: connections/exchanges in flight to one address.
        connect_timeout: seconds to establish TCP (and finish a TLS handshake).
        read_timeout: seconds for the whole reply, from the moment the request is sent.
        read_cap: bytes read per exchange at most; more is ``too_large``.
        udp_wait: seconds to wait for a unicast UDP discovery reply.
    """

    rate: float = 200.0
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


class TokenBucket:
    """Classic token bucket: `rate` tokens per second, at most `burst` saved up. Waiters queue FIFO."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._last = clock()
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
                self._last = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                await asyncio.sleep((1.0 - self._tokens) / self._rate)


class Gate:
    """Scope, concurrency and rate for one run: every connection or datagram waits here first."""

    def __init__(self, limits: Limits, scope: Scope) -> None:
        self.limits = limits
        self.scope = scope
        self.opened = 0  # connections and datagrams actually started (for tests and benchmarks)
        self._global = asyncio.Semaphore(limits.concurrency)
        self._hosts: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}
        self._bucket = TokenBucket(limits.rate, limits.burst)

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

    @property
    def busy_hosts(self) -> int:
        return len(self._hosts)
