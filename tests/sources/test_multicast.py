"""Multicast discovery on loopback (multicast with IP_MULTICAST_IF 127.0.0.1 stays on `lo`)."""

from __future__ import annotations

import asyncio
import json
import socket
import struct

import pytest

from camaudit.net.limits import Limits
from camaudit.protocols import dhip as dhip_codec
from camaudit.scope import Scope
from camaudit.sources.active import HostResult, observe
from camaudit.sources.multicast import discover
from camaudit.sources.probes import Probe

DEVICE = "127.0.0.9"  # answers from here: not in the test scope
BODY = {
    "mac": "3c:ef:8c:41:6c:ce",
    "method": "client.notifyDevInfo",
    "params": {"deviceInfo": {"DeviceClass": "VTO", "DeviceType": "VTO2000A", "Vendor": "General"}},
}


def _frame(body: bytes) -> bytes:
    return struct.pack("<I4sIIIIII", 32, b"DHIP", 0, 0, len(body), 0, len(body), 0) + body


@pytest.mark.asyncio
async def test_discover_hears_a_dhip_reply() -> None:
    with _Responder() as device:
        found = await discover("127.0.0.1", seconds=0.5)
    assert any(d[4:8] == b"DHIP" for d in device.received)
    dhip = [o for o in found if o.kind == "dhip.reply"]
    assert dhip and dhip[0].ip == DEVICE and dhip[0].source == "multicast:dhip"
    assert dhip[0].fields["dhip.DeviceType"] == "VTO2000A" and dhip[0].mac == "3c:ef:8c:41:6c:ce"


@pytest.mark.asyncio
async def test_out_of_scope_replies_are_seen_not_probed() -> None:
    nothing: tuple[Probe, ...] = ()
    with _Responder():
        results = [
            r
            async for r in observe(
                Scope(addresses=("127.0.0.1",)),
                Limits(),
                multicast=True,
                multicast_source="127.0.0.1",
                multicast_seconds=0.5,
                probes=nothing,
            )
        ]
    seen = [r for r in results if r.seen_out_of_scope]
    assert [r.ip for r in seen] == [DEVICE]
    assert seen[0].attempts == ()  # never probed
    assert [r.ip for r in results if not r.seen_out_of_scope] == ["127.0.0.1"]


class _Responder:
    """Runs the responder on the current event loop via add_reader."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    def __enter__(self) -> _Responder:
        self.listen = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.listen.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listen.bind((dhip_codec.MULTICAST_GROUP, dhip_codec.PORT))
        group = socket.inet_aton(dhip_codec.MULTICAST_GROUP) + socket.inet_aton("127.0.0.1")
        self.listen.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, group)
        self.listen.setblocking(False)
        self.answer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.answer.bind((DEVICE, 0))
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(self.listen.fileno(), self._readable)
        return self

    def _readable(self) -> None:
        data, addr = self.listen.recvfrom(65536)
        self.received.append(data)
        if data[4:8] == b"DHIP" and b"DHDiscover.search" in data:
            self.answer.sendto(_frame(json.dumps(BODY).encode()), addr)

    def __exit__(self, *exc: object) -> None:
        self.loop.remove_reader(self.listen.fileno())
        self.listen.close()
        self.answer.close()


def test_ssdp_and_mdns_by_multicast_then_the_description_by_unicast() -> None:
    """A lab camera joined to the SSDP and mDNS groups on loopback: both answer the group queries, and
    the LOCATION heard by multicast alone is enough for the follow-up GET (no unicast M-SEARCH here)."""
    from tests.conftest import start_lab

    from camaudit.sources.probes import upnp

    runner = start_lab(profiles=["axis-camera"], multicast=True)
    address = runner.lab.addresses["axis-camera"]
    try:
        found = asyncio.run(discover("127.0.0.1", seconds=1.0))
        results = asyncio.run(_observe_with_multicast(address, (upnp.PROBE,)))
        log = [(r.protocol, r.port, r.method, r.path) for r in runner.lab.requests]
    finally:
        runner.stop()
    heard = {(o.source, o.kind) for o in found if o.ip == address}
    assert {("multicast:ssdp", "ssdp.reply"), ("multicast:mdns", "mdns.answer")} <= heard
    (result,) = [r for r in results if r.ip == address]
    assert any(o.kind == "upnp.description" for o in result.observations)
    assert ("http", 45895, "GET", "/rootdesc1.xml") in log
    assert ("ssdp", 1900, "M-SEARCH", "upnp:rootdevice") in log
    assert all(method != "NOTIFY" for _, _, method, _ in log)


async def _observe_with_multicast(address: str, probes: tuple[Probe, ...]) -> list[HostResult]:
    limits = Limits(rate=2000, connect_timeout=1.0, read_timeout=1.5)
    return [
        r
        async for r in observe(
            Scope(addresses=(address,)),
            limits,
            multicast=True,
            multicast_source="127.0.0.1",
            multicast_seconds=1.0,
            probes=probes,
        )
    ]
