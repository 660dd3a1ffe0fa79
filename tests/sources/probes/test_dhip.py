from __future__ import annotations

import json
import struct
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from camaudit.model import ProbeStatus, Transport
from camaudit.sources.probes import dhip
from camaudit.sources.probes._base import ProbeTarget

from .conftest import HOST, FakeDevice

# shared/ sits beside the repository (the project's reference material); the check skips without it.
REFERENCE = (
    Path(__file__).resolve().parents[3].parent / "shared/reference/dahua/dahua_dhip_discovery_and_login.json"
)
# The real VTO2000A reply body (rroller/dahua test data; devices.md §2.1), here as a literal.
VTO2000A = {
    "mac": "3c:ef:8c:41:6c:ce",
    "method": "client.notifyDevInfo",
    "params": {
        "deviceInfo": {
            "DeviceClass": "VTO",
            "DeviceType": "VTO2000A",
            "HttpPort": 80,
            "Init": 150,
            "IPv4Address": {"IPAddress": "192.168.0.232", "SubnetMask": "255.255.255.0"},
            "MachineName": "3C06520PAN00001",
            "Manufacturer": "General",
            "Port": 37777,
            "SerialNo": "3C06520PAN00001",
            "Vendor": "General",
            "Version": "3.120.0000.0.R",
        }
    },
}


def frame(body: bytes) -> bytes:
    # 32-byte little-endian DHIP header (devices.md §2.1), then JSON and the trailing newline seen live.
    return struct.pack("<I4sIIIIII", 32, b"DHIP", 0, 0, len(body), 0, len(body), 0) + body


@pytest.mark.asyncio
async def test_search_and_vto_reply(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(37810, lambda d: frame(json.dumps(VTO2000A).encode() + b"\n"), Transport.UDP)
    result = await dhip.probe(ProbeTarget(HOST, 37810, Transport.UDP), dev.connector())
    (sent,) = dev.received
    assert sent[4:8] == b"DHIP" and b'"DHDiscover.search"' in sent
    (obs,) = result.observations
    assert (obs.source, obs.kind, obs.protocol) == ("probe:dhip", "dhip.reply", "dhip")
    assert obs.fields["dhip.Vendor"] == "General" and obs.fields["dhip.DeviceType"] == "VTO2000A"
    assert obs.fields["dhip.IPv4Address.IPAddress"] == "192.168.0.232"
    assert obs.mac is None  # a claimed MAC stays in the fields; only layer 2 sets Observation.mac
    assert obs.fields["dhip.mac"] == "3c:ef:8c:41:6c:ce"


def test_literal_matches_the_reference_capture() -> None:
    if not REFERENCE.exists():
        pytest.skip("reference capture not present")
    info = json.loads(REFERENCE.read_text())["discovery_reply"]["json_body"]["params"]["deviceInfo"]
    for key, value in VTO2000A["params"]["deviceInfo"].items():  # type: ignore[index]
        if key != "IPv4Address":
            assert info[key] == value


@pytest.mark.asyncio
async def test_reflected_search_is_not_a_device(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(37810, lambda d: d, Transport.UDP)  # echoes our own search back
    result = await dhip.probe(ProbeTarget(HOST, 37810, Transport.UDP), dev.connector())
    assert result.observations == () and result.attempts[0].status is ProbeStatus.OK


@pytest.mark.asyncio
async def test_bare_json_without_header_is_malformed(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(37810, lambda d: json.dumps(VTO2000A).encode(), Transport.UDP)
    result = await dhip.probe(ProbeTarget(HOST, 37810, Transport.UDP), dev.connector())
    assert result.attempts[0].status is ProbeStatus.MALFORMED
