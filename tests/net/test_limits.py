"""Limits are validated; the token bucket lets a burst through, then paces; the gate frees its hosts."""

from __future__ import annotations

import asyncio

import pytest

from camaudit.net.limits import Gate, Limits, TokenBucket
from camaudit.scope import Scope


@pytest.mark.asyncio
async def test_token_bucket_with_fake_clock_allows_burst_then_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=10, burst=3, clock=lambda: now[0])
    for _ in range(3):
        await asyncio.wait_for(bucket.take(), 0.1)  # the burst is free
    waiter = asyncio.ensure_future(bucket.take())
    await asyncio.sleep(0.02)
    assert not waiter.done()
    now[0] = 0.1  # one token's worth of time
    await asyncio.wait_for(waiter, 1)


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="rate"):
        Limits(rate=0)
    with pytest.raises(ValueError, match="per_host"):
        Limits(per_host=0)
    assert Limits().rate == 200 and Limits().per_host == 4 and Limits().read_cap == 65536


@pytest.mark.asyncio
async def test_the_gate_counts_what_it_lets_through_and_forgets_idle_hosts() -> None:
    gate = Gate(Limits(rate=1000), Scope(addresses=("127.0.0.1",)))
    async with gate.slot("127.0.0.1"):
        assert gate.busy_hosts == 1
    async with gate.send_slot():
        pass
    assert (gate.opened, gate.busy_hosts) == (2, 0)


def test_timing_templates_follow_nmap_and_keep_per_host_at_four_from_t3() -> None:
    from camaudit.net.limits import TIMING, timing

    assert [TIMING[level].concurrency for level in (0, 1)] == [1, 1]
    assert TIMING[0].rate == 1 / 300 and TIMING[1].rate == 1 / 15 and TIMING[2].rate == 2.5
    assert all(TIMING[level].per_host == 4 for level in (3, 4, 5))
    assert timing() == TIMING[3] and timing().max_rate == 2000
    assert TIMING[5].max_rate > TIMING[4].max_rate > TIMING[3].max_rate  # type: ignore[operator]


def test_a_rate_the_user_names_is_never_exceeded() -> None:
    from camaudit.net.limits import timing

    fixed = timing(3, rate=40)
    assert (fixed.rate, fixed.max_rate) == (40, None)
    capped = timing(3, max_rate=100)
    assert (capped.rate, capped.max_rate) == (100, 100)
    with pytest.raises(ValueError, match="max_rate"):
        timing(3, rate=500, max_rate=100)


@pytest.mark.asyncio
async def test_the_bucket_follows_the_controllers_rate() -> None:
    from camaudit.net.rate import RateController

    now = [0.0]
    controller = RateController(10, 100, clock=lambda: now[0])
    bucket = TokenBucket(rate=10, burst=1, clock=lambda: now[0], controller=controller)
    await bucket.take()
    waiter = asyncio.ensure_future(bucket.take())
    await asyncio.sleep(0.02)
    assert not waiter.done()
    now[0] = 0.3  # a window has passed with a waiter: the rate rises, and the token is due
    await asyncio.wait_for(waiter, 1)
    assert controller.rate == 15
