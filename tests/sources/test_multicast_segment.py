"""When multicast discovery is worth sending: targets on a directly connected network."""

from __future__ import annotations

import ipaddress

from camaudit.sources.multicast import connected_networks, on_local_segment, source_for

# /proc/net/route as the kernel writes it (little-endian hex): a default route via 192.0.2.1, the
# connected 192.0.2.0/24 on eth0, and loopback's 127.0.0.0/8.
ROUTES = """Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
lo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0
"""


def test_connected_networks_skip_gateways_default_route_and_loopback() -> None:
    assert connected_networks(ROUTES) == [ipaddress.IPv4Network("192.0.2.0/24")]


def test_local_segment_decision() -> None:
    nets = connected_networks(ROUTES)
    assert on_local_segment(["198.51.100.7", "192.0.2.50"], nets)
    assert not on_local_segment(["198.51.100.7"], nets)  # routed: TTL-1 multicast cannot reach it
    assert not on_local_segment(["127.0.0.1"], nets)
    assert not on_local_segment(["::1"], nets)


def test_source_for_loopback_is_loopback_and_sends_nothing() -> None:
    assert source_for("127.0.0.1") == "127.0.0.1"
