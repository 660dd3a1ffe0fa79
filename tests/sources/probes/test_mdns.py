"""The mDNS probe: a legacy unicast browse against the loopback lab, and odd replies from a fake device."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from camaudit.lab.runner import Lab
from camaudit.model import ProbeStatus, Transport
from camaudit.net.connector import Connector
from camaudit.net.limits import Limits
from camaudit.protocols import mdns as codec
from camaudit.scope import Scope
from camaudit.sources import sweep
from camaudit.sources.probes import mdns
from camaudit.sources.probes._base import ProbeTarget

from .conftest import HOST, FakeDevice

LIMITS = Limits(rate=2000, udp_wait=0.7)


def _conn(*ips: str) -> Connector:
    return Connector(LIMITS, scope=Scope(addresses=ips))


@pytest.mark.asyncio
async def test_axis_answers_with_model_and_mac(lab: Lab) -> None:
    address = lab.addresses["axis-camera"]
    before = len(lab.requests)
    result = await mdns.probe(ProbeTarget(address, 5353, Transport.UDP), _conn(address))
    (obs,) = result.observations
    assert (obs.kind, obs.protocol, obs.source) == ("mdns.answer", "mdns", "probe:mdns")
    assert obs.fields["mdns.instance"] == "AXIS P3225-LV Mk II - ACCC8EA31ABF._axis-video._tcp.local"
    assert obs.fields["mdns.txt.macaddress"] == "ACCC8EA31ABF" and obs.mac is None
    await asyncio.sleep(0.05)
    seen = [r for r in lab.requests[before:] if r.device == "axis-camera"]
    assert [(r.protocol, r.method, r.state_changing) for r in seen] == [("mdns", "query", False)]


@pytest.mark.asyncio
async def test_hikvision_answers_cgi(lab: Lab) -> None:
    address = lab.addresses["hikvision-ipc"]
    result = await mdns.probe(ProbeTarget(address, 5353, Transport.UDP), _conn(address))
    assert result.observations[0].fields["mdns.services"] == "_CGI._tcp.local"
    assert result.observations[0].fields["mdns.hostname"] == "DS-2CD2347G2-LU20230915AAWRL49061234.local"


def test_the_sweep_hears_only_the_advertisers(lab: Lab) -> None:
    ips = [lab.addresses[p] for p in ("axis-camera", "hikvision-ipc", "dahua-ipc", "printer")]
    found = asyncio.run(sweep.sweep(ips, _conn(*ips), [mdns]))
    assert {ip for ip, r in found.items() if r.observations} == set(ips[:2])


@pytest.mark.asyncio
async def test_the_query_is_a_ptr_browse(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(5353, lambda d: d, Transport.UDP)  # echoes: a query back is not an answer
    result = await mdns.probe(ProbeTarget(HOST, 5353, Transport.UDP), dev.connector())
    (sent,) = dev.received
    query = codec.parse_message(sent)
    assert not query.is_response and {q.type for q in query.questions} == {codec.TYPE_PTR}
    assert result.observations == () and result.attempts[0].status is ProbeStatus.OK


@pytest.mark.asyncio
async def test_pointer_loop_is_malformed(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    loop = b"\x00\x00\x84\x00\x00\x00\x00\x01\x00\x00\x00\x00\xc0\x0c" + b"\x00" * 10
    dev = await device(5353, lambda d: loop, Transport.UDP)
    result = await mdns.probe(ProbeTarget(HOST, 5353, Transport.UDP), dev.connector())
    assert result.observations == () and result.attempts[0].status is ProbeStatus.MALFORMED
