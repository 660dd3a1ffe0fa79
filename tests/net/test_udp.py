"""UDP replies are bounded per address and only the addresses asked may answer."""

from __future__ import annotations

import pytest

from camaudit.model import ProbeStatus
from camaudit.net.udp import Collector, SweepCollector, unicast


def test_sweep_collector_bounds_each_address() -> None:
    collector = SweepCollector({"127.0.0.1"}, cap=10, max_datagrams=2)
    for data in (b"aaaa", b"bbbb", b"cccc"):
        collector.datagram_received(data, ("127.0.0.1", 1))
    collector.datagram_received(b"x" * 100, ("127.0.0.9", 1))  # not asked: ignored
    assert collector.replies == {"127.0.0.1": [b"aaaa", b"bbbb"]}
    collector.datagram_received(b"y" * 20, ("127.0.0.1", 1))
    assert collector.too_large == {"127.0.0.1"} and collector.answered() == ["127.0.0.1"]


def test_a_unicast_collector_keeps_only_the_address_asked_and_stops_at_its_cap() -> None:
    collector = Collector("127.0.0.1", cap=6, max_datagrams=3)
    collector.datagram_received(b"spoof", ("127.0.0.9", 1))
    collector.datagram_received(b"abc", ("127.0.0.1", 9))
    assert collector.datagrams == [b"abc"] and not collector.finished.is_set()
    collector.datagram_received(b"defg", ("127.0.0.1", 9))
    assert collector.too_large and collector.finished.is_set()


@pytest.mark.asyncio
async def test_silence_is_a_timeout_with_the_wait_in_the_reason() -> None:
    datagrams, out = await unicast("127.0.0.1", 9, b"?", cap=100, wait=0.05, max_datagrams=1)
    assert datagrams == () and (out.status, out.reason) == (ProbeStatus.TIMEOUT, "no reply within 0.05s")
