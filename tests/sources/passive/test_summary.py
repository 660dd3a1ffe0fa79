"""The aggregate: what counts as ours, router MACs, bounded state."""

from __future__ import annotations

import pytest

from camaudit.sources.passive import summary as mod
from camaudit.sources.passive.summary import Locality, TrafficSummary, parse_networks


@pytest.mark.parametrize(
    ("ip", "kind"),
    [
        ("10.1.2.3", "local"),
        ("172.31.0.1", "local"),
        ("100.64.0.9", "local"),
        ("fe80::1", "local"),
        ("fd12::1", "local"),
        ("198.18.0.1", "external"),
        ("203.0.113.9", "external"),
        ("8.8.8.8", "external"),
        ("239.255.255.250", "other"),
        ("255.255.255.255", "other"),
        ("0.0.0.0", "other"),
        ("nonsense", "other"),
    ],
)
def test_locality(ip: str, kind: str) -> None:
    assert Locality().kind(ip) == kind


def test_internal_networks_are_ours() -> None:
    locality = Locality(internal=parse_networks(["203.0.113.0/25, 198.51.100.0/24"]))
    assert (locality.kind("203.0.113.9"), locality.kind("203.0.113.200")) == ("local", "external")


def test_a_mac_sending_for_many_addresses_is_a_router_and_names_none() -> None:
    s = TrafficSummary()
    s.note_mac("192.168.1.20", "c0:56:e3:11:22:33")
    s.note_mac("fe80::c256:e3ff:fe11:2233", "c0:56:e3:11:22:33")  # the camera's own link-local v6
    for host in ("192.168.5.1", "192.168.6.1"):
        s.note_mac(host, "02:00:00:00:00:01")
    s.note_mac("203.0.113.5", "02:00:00:00:00:01")  # external senders are never noted
    assert s.macs() == {"192.168.1.20": "c0:56:e3:11:22:33", "fe80::c256:e3ff:fe11:2233": "c0:56:e3:11:22:33"}


def test_transit_and_internal_flows_are_not_egress() -> None:
    s = TrafficSummary()
    s.add_flow("192.168.1.2", "192.168.1.3", "tcp", 1, 2, 1, 100, 0.0, 0.0)
    s.add_flow("198.51.100.1", "203.0.113.1", "tcp", 1, 2, 1, 100, 0.0, 0.0)
    s.add_flow("192.168.1.2", "239.255.255.250", "udp", 1900, 1900, 1, 100, 0.0, 0.0)
    assert s.finish().destinations == ()


def test_pairs_are_bounded_and_the_overflow_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mod, "MAX_PAIRS", 2)
    s = TrafficSummary()
    for i in range(4):
        s.add_flow("192.168.1.2", f"203.0.113.{i}", "udp", 40000, 8800, 1, 10, 0.0, 0.0)
    traffic = s.finish()
    assert len(traffic.destinations) == 2
    assert traffic.counts.warnings[-1].message == "2 flow(s) beyond 2 pairs not kept"
