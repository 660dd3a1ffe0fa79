from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from camaudit.model import ProbeStatus
from camaudit.protocols import http as http_codec
from camaudit.protocols import onvif as onvif_codec
from camaudit.sources.probes import onvif
from camaudit.sources.probes._base import ProbeTarget

from .conftest import HOST, FakeDevice, Reply


def soap(status: int, body: bytes) -> bytes:
    headers = [("Content-Type", "application/soap+xml; charset=utf-8")]
    return http_codec.build_response(status, "OK" if status == 200 else "Error", headers, body)


@pytest.mark.asyncio
async def test_system_date_and_time(
    device: Callable[..., Awaitable[FakeDevice]], after_blank_line: Callable[[bytes], Reply]
) -> None:
    when = datetime(2026, 11, 23, 12, 0, 5, tzinfo=UTC)
    dev = await device(80, after_blank_line(soap(200, onvif_codec.build_system_date_and_time_response(when))))
    result = await onvif.probe(ProbeTarget(HOST, 80, job="GetSystemDateAndTime"), dev.connector())
    request = http_codec.parse_request(dev.received[0])
    assert request.method == "POST" and request.target == "/onvif/device_service"
    assert onvif_codec.request_operation(request.body) == "GetSystemDateAndTime"
    (obs,) = result.observations
    assert obs.kind == "onvif.system_date_and_time" and obs.source == "probe:onvif"
    assert obs.fields["onvif.utc_datetime"].startswith("2026-11-23T12:00:05")


@pytest.mark.asyncio
async def test_device_information(
    device: Callable[..., Awaitable[FakeDevice]], after_blank_line: Callable[[bytes], Reply]
) -> None:
    body = onvif_codec.build_device_information_response(
        manufacturer="Dahua",
        model="IPC-HFW2431S-S-S2",
        firmware_version="2.800.0000000.25.R",
        serial_number="7J0123456789ABC",
        hardware_id="1.00",
    )
    dev = await device(8080, after_blank_line(soap(200, body)))
    result = await onvif.probe(ProbeTarget(HOST, 8080, job="GetDeviceInformation"), dev.connector())
    (obs,) = result.observations
    assert obs.kind == "onvif.device_information"
    assert obs.fields["onvif.Manufacturer"] == "Dahua" and obs.fields["onvif.Model"] == "IPC-HFW2431S-S-S2"


@pytest.mark.asyncio
async def test_not_authorized_fault_is_an_observation(
    device: Callable[..., Awaitable[FakeDevice]], after_blank_line: Callable[[bytes], Reply]
) -> None:
    dev = await device(80, after_blank_line(soap(400, onvif_codec.build_fault())))
    result = await onvif.probe(ProbeTarget(HOST, 80, job="GetDeviceInformation"), dev.connector())
    assert result.observations[0].fields["onvif.fault"] == "ter:NotAuthorized"


@pytest.mark.asyncio
async def test_plain_web_server_is_not_onvif(
    device: Callable[..., Awaitable[FakeDevice]], after_blank_line: Callable[[bytes], Reply]
) -> None:
    page = b"HTTP/1.1 404 Not Found\r\nServer: nginx\r\nContent-Length: 9\r\n\r\nnot found"
    dev = await device(80, after_blank_line(page))
    result = await onvif.probe(ProbeTarget(HOST, 80, job="GetDeviceInformation"), dev.connector())
    assert result.observations == ()
    assert result.attempts[0].status is ProbeStatus.MALFORMED
    assert "HTTP 404" in (result.attempts[0].error_reason or "")
