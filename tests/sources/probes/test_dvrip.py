from __future__ import annotations

import struct
from collections.abc import Awaitable, Callable

import pytest

from camaudit.model import ProbeStatus
from camaudit.sources.probes import dvrip
from camaudit.sources.probes._base import ProbeTarget

from .conftest import HOST, FakeDevice

# DahuaConsole's realm request (devices.md §2.3): a0 01 00 00, 20 zero bytes, 05 02 01 01 00 00 a1 aa.
REALM_REQUEST = bytes.fromhex("a0010000" + "00" * 20 + "050201010000a1aa")
TEXT = b"Realm:Login to 4L0123456PAZ8A1B\r\nRandom:1234567890\r\n"
# b0 01 realm reply: header with the payload length at offset 4, then the text.
REALM_REPLY = bytes([0xB0, 0x01, 0, 0]) + struct.pack("<I", len(TEXT)) + bytes(24) + TEXT


@pytest.mark.asyncio
async def test_realm_request_leaks_serial(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(37777, lambda d: REALM_REPLY if len(d) >= 32 else None)
    result = await dvrip.probe(ProbeTarget(HOST, 37777), dev.connector())
    assert dev.received == [REALM_REQUEST]
    (obs,) = result.observations
    assert (obs.kind, obs.protocol, obs.source) == ("dvrip.reply", "dvrip", "probe:dvrip")
    assert obs.fields["dvrip.realm"] == "Login to 4L0123456PAZ8A1B"
    assert obs.fields["dvrip.header"] == REALM_REPLY[:8].hex()
    assert result.attempts[0].status is ProbeStatus.OK
    assert result.attempts[0].duration_ms < 400  # the header's length ends the read, not the timeout


@pytest.mark.asyncio
async def test_http_server_on_37777_is_malformed(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    page = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
    dev = await device(37777, lambda d: page)
    result = await dvrip.probe(ProbeTarget(HOST, 37777), dev.connector())
    assert result.observations == () and result.attempts[0].status is ProbeStatus.MALFORMED


def test_complete_waits_for_the_declared_length() -> None:
    assert not dvrip.complete(REALM_REPLY[:20])
    assert not dvrip.complete(REALM_REPLY[:40])
    assert dvrip.complete(REALM_REPLY)
