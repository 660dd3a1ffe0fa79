"""The adaptive global rate: raise it while no host shows distress, back off as soon as one does.

Additive-increase/multiplicative-decrease, as TCP congestion control and nmap's timing engine do: the
rate starts at `Limits.rate`, grows by half every window in which connections had to wait for it and
no host showed distress (slow start), and
halves when a host shows distress; after the first distress it grows only by a small step per window.
It never goes above `Limits.max_rate` (or `rate` when there is no ceiling) and never below a floor.

Distress is judged per host, from what the host itself did earlier in the run, because the normal
answers of a network look like failures out of context (a closed port refuses, an empty address times
out, a tarpit never answers):

- a host that accepted a connection stops accepting: a connect timeout, refusal or reset on a port that
  was open, or a connect timeout on a host that answered before;
- a port that answered a request goes silent (read timeout) or resets the next one.

The per-host concurrency limit is not touched: it is what protects one fragile camera.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from camaudit.model import ProbeStatus

WINDOW = 0.25  # seconds between two decisions
SLOW_START_FACTOR = 1.5  # growth per healthy window until the first distress
STEP_FRACTION = 0.05  # growth per healthy window afterwards, as a fraction of the ceiling
BACKOFF = 0.5  # the rate is multiplied by this when a host shows distress
FLOOR_FRACTION = 0.25  # never below this fraction of the starting rate


@dataclass(frozen=True, slots=True)
class Signal:
    """How one TCP exchange went, as the rate controller needs to know it.

    Attributes:
        ip, port: where it went.
        status: the attempt's status.
        connected: the connection was accepted.
        answered: bytes came back.
    """

    ip: str
    port: int
    status: ProbeStatus
    connected: bool
    answered: bool


class RateController:
    """The current global rate, adjusted from the signals of every exchange (see the module docstring)."""

    def __init__(
        self, start: float, ceiling: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.start = start
        self.ceiling = max(start, ceiling or start)
        self.floor = start * FLOOR_FRACTION
        self.rate = start
        self.peak = start
        self.distress = 0  # events over the whole run (for benchmarks and the audit record)
        self._clock = clock
        self._window_end = clock() + WINDOW
        self._window_distress = 0
        self._window_limited = False
        self._slow_start = True
        self._alive: set[str] = set()
        self._open: set[tuple[str, int]] = set()
        self._answered: set[tuple[str, int]] = set()

    def note(self, signal: Signal) -> None:
        """Learn from one exchange: remember what answered, count distress, adjust when a window ends."""
        if self._is_distress(signal):
            self.distress += 1
            self._window_distress += 1
        key = (signal.ip, signal.port)
        if signal.connected:
            self._alive.add(signal.ip)
            self._open.add(key)
        if signal.answered:
            self._answered.add(key)
        self.tick()

    def _is_distress(self, s: Signal) -> bool:
        key = (s.ip, s.port)
        if not s.connected:  # the connection itself failed
            if s.status in (ProbeStatus.REFUSED, ProbeStatus.RESET):
                return key in self._open
            return s.status is ProbeStatus.TIMEOUT and s.ip in self._alive
        if s.status in (ProbeStatus.TIMEOUT, ProbeStatus.RESET):  # accepted, then no answer
            return not s.answered and key in self._answered
        return False

    def limited(self) -> None:
        """A new connection had to wait for the rate: only then is there a reason to raise it."""
        self._window_limited = True

    def tick(self) -> float:
        """The rate now, after any decision whose window has ended."""
        now = self._clock()
        if now < self._window_end:
            return self.rate
        if self._window_distress:
            self.rate = max(self.floor, self.rate * BACKOFF)
            self._slow_start = False
        elif self._window_limited and self._slow_start:
            self.rate = min(self.ceiling, self.rate * SLOW_START_FACTOR)
        elif self._window_limited:
            self.rate = min(self.ceiling, self.rate + self.ceiling * STEP_FRACTION)
        self.peak = max(self.peak, self.rate)
        self._window_distress = 0
        self._window_limited = False
        self._window_end = now + WINDOW
        return self.rate
