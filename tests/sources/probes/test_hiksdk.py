from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from camaudit.model import ProbeStatus
from camaudit.sources.probes import hiksdk
from camaudit.sources.probes._base import ProbeTarget

from .conftest import HOST, FakeDevice

# nmap-service-probes NULL-probe match "Hikvision IPCam control port" (devices.md §4.1).
BANNER = b"\x00\x00\x00\x10\x00\x00\x00\x1e\x00\x00\x00\x1e\x00\x00\x00\x00"


@pytest.mark.asyncio
async def test_banner_sent_first(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(8000, lambda d: None, speak_first=BANNER)
    result = await hiksdk.probe(ProbeTarget(HOST, 8000), dev.connector())
    (obs,) = result.observations
    assert (obs.kind, obs.protocol, obs.source) == ("hiksdk.reply", "hiksdk", "probe:hiksdk")
    assert obs.fields["hiksdk.header"] == BANNER.hex()
    assert dev.received == []  # listen only: nothing sent
    assert result.attempts[0].duration_ms < 400


@pytest.mark.asyncio
async def test_silent_port_times_out(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(8000, lambda d: None)
    result = await hiksdk.probe(ProbeTarget(HOST, 8000), dev.connector(read_timeout=0.3))
    assert result.observations == () and result.attempts[0].status is ProbeStatus.TIMEOUT


@pytest.mark.asyncio
async def test_other_banner_is_malformed(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(8000, lambda d: None, speak_first=b"SSH-2.0-dropbear_2019.78\r\n")
    result = await hiksdk.probe(ProbeTarget(HOST, 8000), dev.connector())
    assert result.observations == () and result.attempts[0].status is ProbeStatus.MALFORMED
