from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest

from camaudit.model import ProbeStatus, Transport
from camaudit.sources.probes import sadp
from camaudit.sources.probes._base import ProbeTarget

from .conftest import HOST, FakeDevice

# Field names and shapes from devices.md §1.1 (hikvision-tooling struct, UniversalScanner selftest).
PROBE_MATCH = (
    '<?xml version="1.0" encoding="utf-8"?>\r\n<ProbeMatch>\r\n<Uuid>{uuid}</Uuid>\r\n'
    "<Types>inquiry</Types>\r\n<DeviceType>138153</DeviceType>\r\n"
    "<DeviceDescription>{model}</DeviceDescription>\r\n"
    "<DeviceSN>DS-2CD2387G2-LU20220315AAWRJ12345678</DeviceSN>\r\n<CommandPort>8000</CommandPort>\r\n"
    "<HttpPort>80</HttpPort>\r\n<MAC>24-0f-9b-12-34-56</MAC>\r\n<IPv4Address>192.168.1.64</IPv4Address>\r\n"
    "<SoftwareVersion>V5.7.3build 220112</SoftwareVersion>\r\n<DSPVersion>V7.3 build 220112</DSPVersion>\r\n"
    "<Activated>true</Activated>\r\n<HCPlatformEnable>false</HCPlatformEnable>\r\n</ProbeMatch>\r\n"
)


def reply_with(model: str) -> Callable[[bytes], bytes]:
    def reply(data: bytes) -> bytes:
        match = re.search(rb"<Uuid>([^<]+)</Uuid>", data)
        uuid = match[1].decode() if match else ""
        return PROBE_MATCH.format(uuid=uuid, model=model).encode()

    return reply


@pytest.mark.asyncio
async def test_inquiry_and_reply(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(37020, reply_with("DS-2CD2387G2-LU"), Transport.UDP)
    result = await sadp.probe(ProbeTarget(HOST, 37020, Transport.UDP), dev.connector())
    (sent,) = dev.received
    assert b"<Types>inquiry</Types>" in sent
    (obs,) = result.observations
    assert (obs.source, obs.kind, obs.protocol, obs.transport) == (
        "probe:sadp",
        "sadp.reply",
        "sadp",
        Transport.UDP,
    )
    assert obs.fields["sadp.DeviceDescription"] == "DS-2CD2387G2-LU"
    assert obs.fields["sadp.SoftwareVersion"] == "V5.7.3build 220112"
    assert obs.mac is None  # claimed, not seen on the wire
    assert obs.fields["sadp.MAC"].lower().replace("-", ":") == "24:0f:9b:12:34:56"
    assert result.attempts[0].status is ProbeStatus.OK


@pytest.mark.asyncio
async def test_script_in_model_stays_plain_text(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(37020, reply_with("&lt;script&gt;alert(1)&lt;/script&gt;"), Transport.UDP)
    result = await sadp.probe(ProbeTarget(HOST, 37020, Transport.UDP), dev.connector())
    assert result.observations[0].fields["sadp.DeviceDescription"] == "<script>alert(1)</script>"


@pytest.mark.asyncio
async def test_malformed_xml_is_malformed(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(37020, lambda d: b"<ProbeMatch><Uuid>x</Uuid><DeviceDescription>", Transport.UDP)
    result = await sadp.probe(ProbeTarget(HOST, 37020, Transport.UDP), dev.connector())
    assert result.observations == ()
    assert result.attempts[0].status is ProbeStatus.MALFORMED


@pytest.mark.asyncio
async def test_silence_is_a_timeout(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(37020, lambda d: None, Transport.UDP)
    result = await sadp.probe(ProbeTarget(HOST, 37020, Transport.UDP), dev.connector(udp_wait=0.2))
    assert result.observations == () and result.attempts[0].status is ProbeStatus.TIMEOUT
