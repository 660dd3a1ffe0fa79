from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable

import pytest

from camaudit.model import ProbeStatus, Transport
from camaudit.sources.probes import tcp
from camaudit.sources.probes._base import ProbeTarget

from .conftest import HOST, FakeDevice


def test_ports_cover_the_camera_port_map() -> None:
    ports = {p for p, _ in tcp.PORTS}
    assert {80, 443, 554, 8000, 8080, 8443, 8554, 37777, 37778, 2020, 5000, 8899, 631, 22, 23} == ports
    assert {t for _, t in tcp.PORTS} == {Transport.TCP}


@pytest.mark.asyncio
async def test_open_port_is_observed(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(554, lambda d: None)
    result = await tcp.probe(ProbeTarget(HOST, 554), dev.connector())
    (obs,) = result.observations
    assert (obs.source, obs.kind, obs.protocol, obs.port, obs.ip) == (
        "probe:tcp",
        "tcp.open",
        "tcp",
        554,
        HOST,
    )
    assert result.attempts[0].status is ProbeStatus.OK
    assert dev.received == []  # a connect sweep sends nothing


@pytest.mark.asyncio
async def test_closed_port_is_an_attempt_only(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(80, lambda d: None)
    with socket.socket() as s:
        s.bind((HOST, 0))
        free = s.getsockname()[1]
    dev.port_map[(23, Transport.TCP)] = free
    result = await tcp.probe(ProbeTarget(HOST, 23), dev.connector())
    assert result.observations == ()
    assert result.attempts[0].status is ProbeStatus.REFUSED and result.attempts[0].probe == "tcp"
