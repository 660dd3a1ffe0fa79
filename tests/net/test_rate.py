"""The adaptive rate rises while the run is healthy and the bucket holds it back, halves on distress,
and never leaves its bounds; distress is judged from what each host did before."""

from __future__ import annotations

from camaudit.model import ProbeStatus
from camaudit.net.rate import FLOOR_FRACTION, WINDOW, RateController, Signal


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def windows(self, n: int = 1) -> None:
        self.now += WINDOW * n + 1e-6


def _busy_window(rate: RateController, clock: Clock) -> float:
    rate.limited()
    clock.windows()
    return rate.tick()


def test_rises_only_while_connections_wait_for_it_and_stops_at_the_ceiling() -> None:
    clock = Clock()
    rate = RateController(200, 2000, clock=clock)
    clock.windows()
    assert rate.tick() == 200  # nobody waited: no reason to go faster
    seen = [_busy_window(rate, clock) for _ in range(10)]
    assert seen[:3] == [300, 450, 675]
    assert max(seen) == 2000 and rate.peak == 2000


def test_without_a_ceiling_the_rate_never_rises() -> None:
    clock = Clock()
    rate = RateController(40, None, clock=clock)
    assert [_busy_window(rate, clock) for _ in range(5)] == [40] * 5


def _ok(ip: str, port: int, answered: bool = True) -> Signal:
    return Signal(ip, port, ProbeStatus.OK, True, answered)


def test_the_normal_answers_of_a_network_are_not_distress() -> None:
    rate = RateController(200, 2000, clock=Clock())
    rate.note(Signal("10.0.0.9", 80, ProbeStatus.TIMEOUT, False, False))  # nothing at that address
    rate.note(Signal("10.0.0.8", 81, ProbeStatus.REFUSED, False, False))  # a closed port
    rate.note(_ok("10.0.0.7", 80, answered=False))
    rate.note(Signal("10.0.0.7", 80, ProbeStatus.TIMEOUT, True, False))  # a tarpit from the first request
    rate.note(Signal("10.0.0.7", 22, ProbeStatus.REFUSED, False, False))  # a closed port on a live host
    assert rate.distress == 0


def test_a_host_that_stops_answering_is_distress_and_halves_the_rate() -> None:
    clock = Clock()
    rate = RateController(400, 4000, clock=clock)
    rate.note(_ok("10.0.0.5", 80))
    rate.note(Signal("10.0.0.5", 80, ProbeStatus.REFUSED, False, False))  # the open port went away
    rate.note(Signal("10.0.0.5", 554, ProbeStatus.TIMEOUT, False, False))  # a live host stops accepting
    rate.note(Signal("10.0.0.5", 80, ProbeStatus.TIMEOUT, True, False))  # a port that answered goes silent
    assert rate.distress == 3
    clock.windows()
    assert rate.tick() == 200
    for _ in range(5):
        rate.note(Signal("10.0.0.5", 80, ProbeStatus.RESET, True, False))
        clock.windows()
        rate.tick()
    assert rate.rate == 400 * FLOOR_FRACTION  # the floor holds


def test_after_distress_the_rate_grows_back_by_small_steps() -> None:
    clock = Clock()
    rate = RateController(1000, 2000, clock=clock)
    rate.note(_ok("10.0.0.5", 80))
    rate.note(Signal("10.0.0.5", 80, ProbeStatus.RESET, False, False))
    clock.windows()
    assert rate.tick() == 500
    assert _busy_window(rate, clock) == 600  # + 5% of the ceiling, not x1.5
