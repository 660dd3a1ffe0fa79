from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from camaudit.model import ProbeStatus, Transport
from camaudit.protocols import dvrip as dvrip_codec
from camaudit.sources.probes import dvrip_legacy
from camaudit.sources.probes._base import ProbeTarget

from .conftest import HOST, FakeDevice

# The request bytes published in UniversalScanner Dahua1.cs / DahuaConsole net.py (devices.md §2.2).
LEGACY_SEARCH = bytes.fromhex("a3010001" + "00" * 12 + "02" + "00" * 15)


@pytest.mark.asyncio
async def test_legacy_search_and_reply(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    reply = dvrip_codec.build_legacy_reply(
        device_type="DH-XVR5108HS",
        mac="3c:ef:8c:01:02:03",
        ipv4="192.168.1.108",
        version="3.218.0.1",
        serial="5G012345PAZ8A1B",
        web_port=80,
        tcp_port=37777,
    )
    dev = await device(5050, lambda d: reply if d == LEGACY_SEARCH else None, Transport.UDP)
    result = await dvrip_legacy.probe(ProbeTarget(HOST, 5050, Transport.UDP), dev.connector())
    assert dev.received == [LEGACY_SEARCH]
    (obs,) = result.observations
    assert obs.kind == "dvrip.legacy_reply" and obs.protocol == "dvrip" and obs.source == "probe:dvrip_legacy"
    assert obs.fields["dvrip.legacy.SerialNo"] == "5G012345PAZ8A1B"
    assert obs.mac is None  # claimed, not seen on the wire
    assert obs.fields["dvrip.legacy.mac"] == "3c:ef:8c:01:02:03"


@pytest.mark.asyncio
async def test_short_reply_is_malformed(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(5050, lambda d: b"\xb3\x00", Transport.UDP)
    result = await dvrip_legacy.probe(ProbeTarget(HOST, 5050, Transport.UDP), dev.connector())
    assert result.attempts[0].status is ProbeStatus.MALFORMED
