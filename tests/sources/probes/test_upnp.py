"""The UPnP follow-up: one GET of the description an SSDP reply names, only on the host that answered."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from camaudit.lab.runner import Lab
from camaudit.model import Observation, ProbeStatus, Transport
from camaudit.net.connector import Connector
from camaudit.net.limits import Limits
from camaudit.protocols import http, upnp
from camaudit.scope import Scope
from camaudit.sources.active import scan_host
from camaudit.sources.probes import Stage, ssdp
from camaudit.sources.probes import upnp as probe
from camaudit.sources.probes._base import Probe, ProbeTarget

from .conftest import HOST, FakeDevice

LIMITS = Limits(rate=2000, udp_wait=0.7, read_timeout=1.5, connect_timeout=1.0)
PAIR = (ssdp.PROBE, probe.PROBE)


def _reply(ip: str, location: str, source: str = "probe:ssdp") -> Observation:
    return Observation(
        source=source,
        ip=ip,
        port=1900,
        transport=Transport.UDP,
        protocol="ssdp",
        kind="ssdp.reply",
        fields={"ssdp.location": location},
    )


def test_plan_keeps_only_the_answering_host_over_http() -> None:
    ip = "10.0.0.5"
    observations = [
        _reply(ip, "http://10.0.0.6/desc.xml"),  # another host
        _reply(ip, "https://10.0.0.5/desc.xml"),  # another scheme
        _reply(ip, "http://camera.local/desc.xml"),  # a name
        _reply("10.0.0.6", "http://10.0.0.5/desc.xml"),  # someone else's reply
        _reply(ip, "http://10.0.0.5:49152/desc.xml", source="multicast:ssdp"),
        _reply(ip, "http://10.0.0.5:49152/desc.xml"),  # the same again
        _reply(ip, "http://10.0.0.5:8080/other.xml"),  # a second description: not fetched
    ]
    assert probe.PROBE.follow(ip, observations) == [ProbeTarget(ip, 49152, Transport.TCP, "/desc.xml")]
    assert probe.PROBE.targets(ip) == [] and probe.PROBE.stage is Stage.FOLLOW
    assert probe.PROBE.follow(ip, observations[:4]) == []


def test_a_follow_probe_must_plan_and_only_it() -> None:
    with pytest.raises(ValueError, match="FOLLOW"):
        Probe("x", (), probe.probe, Stage.FOLLOW)
    with pytest.raises(ValueError, match="FOLLOW"):
        Probe("x", (), probe.probe, Stage.SERVICE, plan=probe.plan)


def _lab_log(lab: Lab, before: int, device: str) -> list[tuple[str, int, str, str]]:
    return [(r.protocol, r.port, r.method, r.path) for r in lab.requests[before:] if r.device == device]


@pytest.mark.asyncio
async def test_axis_description_is_fetched_once_from_its_own_port(lab: Lab) -> None:
    address = lab.addresses["axis-camera"]
    before = len(lab.requests)
    result = await scan_host(address, Connector(LIMITS, scope=Scope(addresses=(address,))), PAIR)
    (desc,) = [o for o in result.observations if o.kind == "upnp.description"]
    assert (desc.source, desc.port, desc.protocol) == ("probe:upnp", 45895, "upnp")
    assert desc.fields["upnp.manufacturer"] == "AXIS"
    assert desc.fields["upnp.modelNumber"] == "P3225-LV Mk II"
    assert desc.fields["upnp.serialNumber"] == "ACCC8EA31ABF"
    assert desc.fields["upnp.friendlyName"] == "AXIS P3225-LV Mk II - ACCC8EA31ABF"
    await asyncio.sleep(0.05)
    assert _lab_log(lab, before, "axis-camera") == [
        ("ssdp", 1900, "M-SEARCH", "upnp:rootdevice"),
        ("http", 45895, "GET", "/rootdesc1.xml"),
    ]
    assert not any(r.state_changing for r in lab.requests[before:])


@pytest.mark.asyncio
async def test_dahua_description_port_refuses_and_that_is_recorded(lab: Lab) -> None:
    address = lab.addresses["dahua-ipc"]
    result = await scan_host(address, Connector(LIMITS, scope=Scope(addresses=(address,))), PAIR)
    (attempt,) = [a for a in result.attempts if a.probe == "upnp"]
    assert (attempt.port, attempt.status) == (49152, ProbeStatus.REFUSED)
    assert any(o.kind == "ssdp.reply" for o in result.observations)


DESCRIPTION = upnp.build_description({"manufacturer": "Fake", "modelName": "F1"})


@pytest.mark.asyncio
async def test_a_location_on_the_host_itself_is_fetched(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    location = f"http://{HOST}/upnp/desc.xml?x=1"
    answer = upnp.build_reply([("ST", "upnp:rootdevice"), ("LOCATION", location)])
    dev = await device(1900, lambda d: answer, Transport.UDP)
    await device(80, lambda d: http.build_response(200, "OK", [], DESCRIPTION) if b"\r\n\r\n" in d else None)
    result = await scan_host(HOST, dev.connector(), PAIR)
    fields = next(o.fields for o in result.observations if o.kind == "upnp.description")
    assert fields == {"upnp.manufacturer": "Fake", "upnp.modelName": "F1"}
    assert [r.split(b"\r\n")[0] for r in dev.received[1:]] == [b"GET /upnp/desc.xml?x=1 HTTP/1.1"]


@pytest.mark.asyncio
async def test_a_404_or_an_xml_bomb_is_malformed(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><root>&b;</root>'
    answer = upnp.build_reply([("ST", "upnp:rootdevice"), ("LOCATION", f"http://{HOST}/d.xml")])
    dev = await device(1900, lambda d: answer, Transport.UDP)
    await device(80, lambda d: http.build_response(200, "OK", [], bomb) if b"\r\n\r\n" in d else None)
    result = await scan_host(HOST, dev.connector(), PAIR)
    (attempt,) = [a for a in result.attempts if a.probe == "upnp"]
    assert attempt.status is ProbeStatus.MALFORMED and "DTD" in (attempt.error_reason or "")
    assert not [o for o in result.observations if o.kind == "upnp.description"]


@pytest.mark.parametrize(
    "where",
    [
        "http://{inside}:45895/rootdesc1.xml",  # another host, even one in scope
        "http://{outside}:80/",  # an address outside the scope
        "https://127.0.0.1/rootdesc1.xml",  # another scheme
        "http://127.0.0.1@{inside}:45895/rootdesc1.xml",  # user-info trick
        "ftp://127.0.0.1/rootdesc1.xml",
    ],
)
@pytest.mark.asyncio
async def test_locations_elsewhere_are_never_fetched(
    lab: Lab, device: Callable[..., Awaitable[FakeDevice]], where: str
) -> None:
    inside, outside = lab.addresses["axis-camera"], lab.addresses["printer"]
    location = where.format(inside=inside, outside=outside)
    answer = upnp.build_reply([("ST", "upnp:rootdevice"), ("LOCATION", location)])
    dev = await device(1900, lambda d: answer, Transport.UDP)
    conn = Connector(LIMITS, scope=Scope(addresses=(HOST, inside)), port_map=dev.port_map)
    before = len(lab.requests)
    result = await scan_host(HOST, conn, PAIR)
    await asyncio.sleep(0.1)
    assert [o.fields["ssdp.location"] for o in result.observations] == [location]
    assert [a for a in result.attempts if a.probe == "upnp"] == []
    assert [r for r in lab.requests[before:] if r.device in ("axis-camera", "printer")] == []
    assert len(dev.received) == 1  # the M-SEARCH, nothing else
