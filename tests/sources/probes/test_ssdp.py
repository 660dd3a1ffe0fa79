"""The SSDP probe: unicast M-SEARCH against the loopback lab, and odd replies from a fake device."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from camaudit.lab.runner import Lab
from camaudit.model import ProbeStatus, Transport
from camaudit.net.connector import Connector
from camaudit.net.limits import Limits
from camaudit.protocols import upnp
from camaudit.scope import Scope
from camaudit.sources import sweep
from camaudit.sources.probes import ssdp
from camaudit.sources.probes._base import ProbeTarget

from .conftest import HOST, FakeDevice

LIMITS = Limits(rate=2000, udp_wait=0.7, read_timeout=1.5, connect_timeout=1.0)


def _conn(*ips: str) -> Connector:
    return Connector(LIMITS, scope=Scope(addresses=ips))


@pytest.mark.asyncio
async def test_axis_answers_the_rootdevice_search(lab: Lab) -> None:
    address = lab.addresses["axis-camera"]
    before = len(lab.requests)
    result = await ssdp.probe(ProbeTarget(address, 1900, Transport.UDP), _conn(address))
    (obs,) = result.observations
    assert (obs.kind, obs.protocol, obs.source, obs.port) == ("ssdp.reply", "ssdp", "probe:ssdp", 1900)
    assert obs.fields["ssdp.location"] == f"http://{address}:45895/rootdesc1.xml"
    assert obs.fields["ssdp.usn"] == "uuid:Upnp-BasicDevice-1_0-ACCC8EA31ABF::upnp:rootdevice"
    assert obs.mac is None and result.attempts[0].status is ProbeStatus.OK
    await asyncio.sleep(0.05)
    seen = [r for r in lab.requests[before:] if r.device == "axis-camera"]
    assert [(r.protocol, r.method, r.path, r.state_changing) for r in seen] == [
        ("ssdp", "M-SEARCH", "upnp:rootdevice", False)
    ]


@pytest.mark.asyncio
async def test_dahua_server_header(lab: Lab) -> None:
    address = lab.addresses["dahua-ipc"]
    result = await ssdp.probe(ProbeTarget(address, 1900, Transport.UDP), _conn(address))
    assert (
        result.observations[0].fields["ssdp.server"].endswith("ZheJiang Dahua Technology CO.,LTD. Upnp SDK")
    )


def test_the_sweep_asks_every_host_once(lab: Lab) -> None:
    ips = [lab.addresses[p] for p in ("axis-camera", "dahua-ipc", "printer", "hikvision-ipc")]
    found = asyncio.run(sweep.sweep(ips, _conn(*ips), [ssdp]))
    answered = {ip for ip, r in found.items() if r.observations}
    assert answered == {lab.addresses["axis-camera"], lab.addresses["dahua-ipc"]}


@pytest.mark.asyncio
async def test_a_reflected_search_is_not_a_reply(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(1900, lambda d: d, Transport.UDP)
    result = await ssdp.probe(ProbeTarget(HOST, 1900, Transport.UDP), dev.connector())
    (sent,) = dev.received
    assert upnp.parse_request(sent).is_search and sent == upnp.build_msearch()
    assert result.observations == () and result.attempts[0].status is ProbeStatus.OK


@pytest.mark.asyncio
async def test_garbage_is_malformed_and_silence_a_timeout(
    device: Callable[..., Awaitable[FakeDevice]],
) -> None:
    dev = await device(1900, lambda d: b"HTTP/1.1 500 Oops\r\n\r\n", Transport.UDP)
    result = await ssdp.probe(ProbeTarget(HOST, 1900, Transport.UDP), dev.connector())
    assert result.observations == () and result.attempts[0].status is ProbeStatus.MALFORMED
    quiet = await device(1900, lambda d: None, Transport.UDP)
    result = await ssdp.probe(ProbeTarget(HOST, 1900, Transport.UDP), quiet.connector(udp_wait=0.2))
    assert result.attempts[0].status is ProbeStatus.TIMEOUT


@pytest.mark.asyncio
async def test_hostile_header_values_stay_plain_and_bounded(
    device: Callable[..., Awaitable[FakeDevice]],
) -> None:
    reply = b"HTTP/1.1 200 OK\r\nSERVER: <script>alert(1)</script>\x1b[2J\r\nST: " + b"x" * 2000 + b"\r\n\r\n"
    dev = await device(1900, lambda d: reply, Transport.UDP)
    result = await ssdp.probe(ProbeTarget(HOST, 1900, Transport.UDP), dev.connector())
    fields = result.observations[0].fields
    assert fields["ssdp.server"] == "<script>alert(1)</script>[2J" and len(fields["ssdp.st"]) == 1024
