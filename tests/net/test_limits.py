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
