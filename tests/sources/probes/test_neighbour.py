from __future__ import annotations

from pathlib import Path

import pytest

from camaudit.model import ProbeStatus, Transport
from camaudit.net.connector import Connector
from camaudit.net.limits import Limits
from camaudit.scope import Scope
from camaudit.sources.probes import neighbour
from camaudit.sources.probes._base import ProbeTarget

PROC_NET_ARP = """IP address       HW type     Flags       HW address            Mask     Device
192.168.1.64     0x1         0x2         24:0f:9b:12:34:56     *        eth0
192.168.1.108    0x1         0x2         3C:EF:8C:01:02:03     *        eth0
192.168.1.9      0x1         0x0         00:00:00:00:00:00     *        eth0
garbage
"""
IP_NEIGH = """fe80::1 dev eth0 lladdr 24:0f:9b:12:34:56 router REACHABLE
fd00::64 dev eth0 lladdr 3c:ef:8c:01:02:03 STALE
fd00::9 dev eth0 FAILED
fd00::10 dev eth0 INCOMPLETE
"""


def test_parse_proc_net_arp_keeps_complete_entries() -> None:
    assert neighbour.parse_proc_net_arp(PROC_NET_ARP) == {
        "192.168.1.64": "24:0f:9b:12:34:56",
        "192.168.1.108": "3c:ef:8c:01:02:03",
    }


def test_parse_ip_neigh_keeps_entries_with_lladdr() -> None:
    assert neighbour.parse_ip_neigh(IP_NEIGH) == {
        "fe80::1": "24:0f:9b:12:34:56",
        "fd00::64": "3c:ef:8c:01:02:03",
    }


@pytest.mark.asyncio
async def test_probe_reads_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "arp"
    table.write_text(PROC_NET_ARP)
    monkeypatch.setattr(neighbour, "ARP_TABLE", table)
    conn = Connector(Limits(), scope=Scope(addresses=("192.168.1.64", "192.168.1.9")))
    found = await neighbour.probe(ProbeTarget("192.168.1.64", 0, Transport.NONE), conn)
    (obs,) = found.observations
    assert (obs.kind, obs.protocol, obs.port, obs.transport) == ("neighbour", "arp", None, Transport.NONE)
    assert obs.fields["mac.address"] == "24:0f:9b:12:34:56" and obs.mac == "24:0f:9b:12:34:56"
    missing = await neighbour.probe(ProbeTarget("192.168.1.9", 0, Transport.NONE), conn)
    assert missing.observations == () and missing.attempts[0].status is ProbeStatus.SKIPPED
    assert conn.opened == 0  # no packets


@pytest.mark.asyncio
async def test_unreadable_table_is_an_error_attempt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neighbour, "ARP_TABLE", tmp_path / "missing")
    conn = Connector(Limits(), scope=Scope(addresses=("192.168.1.64",)))
    result = await neighbour.probe(ProbeTarget("192.168.1.64", 0, Transport.NONE), conn)
    assert result.attempts[0].status is ProbeStatus.ERROR
