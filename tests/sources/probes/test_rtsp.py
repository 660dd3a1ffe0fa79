from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from camaudit.model import ProbeStatus
from camaudit.sources.probes import rtsp
from camaudit.sources.probes._base import ProbeTarget

from .conftest import HOST, FakeDevice

# nmap's "Hikvision DVR rtspd" match (devices.md §4.1): Digest realm="Hikvision" plus a Basic line.
HIK_401 = (
    b"RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\n"
    b'WWW-Authenticate: Digest realm="Hikvision", nonce="a1b2c3d4e5f60718293a4b5c6d7e8f90", stale="FALSE"\r\n'
    b'WWW-Authenticate: Basic realm="/"\r\n'
    b"Date:  Mon, Nov 23 2026 12:00:00 GMT\r\n\r\n"
)
OPTIONS_200 = (
    b"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nServer: Dahua Rtsp Server\r\n"
    b"Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, PAUSE\r\n\r\n"
)


def answer(template: bytes) -> Callable[[bytes], bytes | None]:
    def reply(data: bytes) -> bytes | None:
        if b"\r\n\r\n" not in data:
            return None
        cseq = next(line.split(b":")[1].strip() for line in data.split(b"\r\n") if line.startswith(b"CSeq"))
        return template.replace(b"{cseq}", cseq)

    return reply


@pytest.mark.asyncio
async def test_describe_401_with_two_challenges(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(554, answer(HIK_401))
    result = await rtsp.probe(ProbeTarget(HOST, 554, job="DESCRIBE"), dev.connector())
    assert dev.received[0].startswith(b"DESCRIBE rtsp://127.0.0.1:554/ RTSP/1.0\r\n")
    (obs,) = result.observations
    assert obs.kind == "rtsp.response" and obs.source == "probe:rtsp"
    assert obs.fields["rtsp.method"] == "DESCRIBE" and obs.fields["rtsp.status"] == "401"
    assert obs.fields["rtsp.www_authenticate.realm"] == "Hikvision"
    assert "Basic" in obs.fields["rtsp.www_authenticate"]
    assert result.attempts[0].status is ProbeStatus.OK


@pytest.mark.asyncio
async def test_options(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(8554, answer(OPTIONS_200))
    result = await rtsp.probe(ProbeTarget(HOST, 8554, job="OPTIONS"), dev.connector())
    assert dev.received[0].startswith(b"OPTIONS rtsp://127.0.0.1:8554/ RTSP/1.0\r\n")
    fields = result.observations[0].fields
    assert fields["rtsp.header.server"] == "Dahua Rtsp Server"
    assert fields["rtsp.public"].startswith("OPTIONS, DESCRIBE")


@pytest.mark.asyncio
async def test_silent_rtsp_port_times_out(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(554, lambda d: None)
    result = await rtsp.probe(ProbeTarget(HOST, 554, job="OPTIONS"), dev.connector(read_timeout=0.3))
    assert result.observations == () and result.attempts[0].status is ProbeStatus.TIMEOUT


def test_ipv6_url() -> None:
    assert rtsp.url("fd00::5", 554) == "rtsp://[fd00::5]:554/"
