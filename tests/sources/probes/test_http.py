from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

import pytest

from camaudit.model import ProbeStatus
from camaudit.sources.probes import http
from camaudit.sources.probes._base import ProbeTarget

from .conftest import HOST, FakeDevice, Reply

# Shaped like a Hikvision IPC (devices.md §4.1: `App-webs/`, Digest realm on ISAPI).
HIK_401 = (
    b"HTTP/1.1 401 Unauthorized\r\n"
    b"Date: Mon, 23 Nov 2026 12:00:00 GMT\r\n"
    b"Server: App-webs/\r\n"
    b'WWW-Authenticate: Digest qop="auth", realm="IP Camera(C6128)", nonce="4e6a4d79", stale="FALSE"\r\n'
    b"Content-Length: 0\r\n"
    b"Connection: close\r\n\r\n"
)
# Dahua firmware sends upper-case header names (devices.md §4.2).
DAHUA_ROOT = (
    b"HTTP/1.1 200 OK\r\nCONNECTION: close\r\nCONTENT-LENGTH: 45\r\nCONTENT-TYPE: text/html\r\n"
    b"P3P: CP=CAO PSA OUR\r\n\r\n<html><title>WEB SERVICE</title></html>\r\n\r\n\r\n"
)
ICON = b"\x00\x00\x01\x00" + bytes(range(60))


def icon_reply(data: bytes) -> bytes | None:
    if b"\r\n\r\n" not in data:
        return None
    return b"HTTP/1.1 200 OK\r\nContent-Type: image/x-icon\r\nContent-Length: 64\r\n\r\n" + ICON


@pytest.mark.asyncio
async def test_get_of_a_fixed_path(
    device: Callable[..., Awaitable[FakeDevice]], after_blank_line: Callable[[bytes], Reply]
) -> None:
    dev = await device(80, after_blank_line(HIK_401))
    result = await http.probe(ProbeTarget(HOST, 80, job="/ISAPI/System/deviceInfo"), dev.connector())
    (sent,) = dev.received
    assert sent.startswith(b"GET /ISAPI/System/deviceInfo HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    (obs,) = result.observations
    assert obs.source == "probe:http" and obs.kind == "http.response" and obs.port == 80
    assert obs.fields["http.status"] == "401"
    assert obs.fields["http.header.server"] == "App-webs/"
    assert obs.fields["http.www_authenticate.realm"] == "IP Camera(C6128)"
    assert obs.fields["http.path_status"] == "/ISAPI/System/deviceInfo 401"
    assert "http.catch_all" not in obs.fields and "http.tls" not in obs.fields
    assert obs.raw == HIK_401
    assert result.attempts[0].status is ProbeStatus.OK


@pytest.mark.asyncio
async def test_upper_case_headers_survive(
    device: Callable[..., Awaitable[FakeDevice]], after_blank_line: Callable[[bytes], Reply]
) -> None:
    dev = await device(8080, after_blank_line(DAHUA_ROOT))
    result = await http.probe(ProbeTarget(HOST, 8080, job="/"), dev.connector())
    (obs,) = result.observations
    assert obs.fields["http.header_names"] == "CONNECTION,CONTENT-LENGTH,CONTENT-TYPE,P3P"
    assert obs.fields["http.title"] == "WEB SERVICE"
    assert b"Host: 127.0.0.1:8080\r\n" in dev.received[0]


@pytest.mark.asyncio
async def test_canary_marks_catch_all(
    device: Callable[..., Awaitable[FakeDevice]], after_blank_line: Callable[[bytes], Reply]
) -> None:
    dev = await device(80, after_blank_line(DAHUA_ROOT))
    conn = dev.connector()
    first = await http.probe(ProbeTarget(HOST, 80, job=http.CANARY), conn)
    second = await http.probe(ProbeTarget(HOST, 80, job=http.CANARY), conn)
    assert first.observations[0].fields["http.catch_all"] == "true"
    paths = [obs.fields["http.path"] for obs in (*first.observations, *second.observations)]
    assert paths[0] != paths[1] and all(p.startswith("/camaudit-canary-") for p in paths)


@pytest.mark.asyncio
async def test_honest_404_is_not_catch_all(
    device: Callable[..., Awaitable[FakeDevice]], after_blank_line: Callable[[bytes], Reply]
) -> None:
    dev = await device(80, after_blank_line(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
    result = await http.probe(ProbeTarget(HOST, 80, job=http.CANARY), dev.connector())
    assert result.observations[0].fields["http.catch_all"] == "false"


@pytest.mark.asyncio
async def test_favicon_hashes(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(80, icon_reply)
    result = await http.probe(ProbeTarget(HOST, 80, job="/favicon.ico"), dev.connector())
    response, favicon = result.observations
    assert response.kind == "http.response" and favicon.kind == "http.favicon"
    assert favicon.fields["http.favicon.md5"] == hashlib.md5(ICON).hexdigest()  # noqa: S324
    assert favicon.fields["http.favicon.mmh3"].lstrip("-").isdigit()


@pytest.mark.asyncio
async def test_redirect_is_recorded_not_followed(
    device: Callable[..., Awaitable[FakeDevice]], after_blank_line: Callable[[bytes], Reply]
) -> None:
    redirect = b"HTTP/1.1 302 Found\r\nLocation: http://192.0.2.1/evil\r\nContent-Length: 0\r\n\r\n"
    dev = await device(80, after_blank_line(redirect))
    result = await http.probe(ProbeTarget(HOST, 80, job="/"), dev.connector())
    assert result.observations[0].fields["http.location"] == "http://192.0.2.1/evil"
    assert len(dev.received) == 1


@pytest.mark.asyncio
async def test_garbage_is_malformed(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(80, lambda d: b"\x00\x00\x00\x10garbage" if b"\r\n\r\n" in d else None)
    result = await http.probe(ProbeTarget(HOST, 80, job="/"), dev.connector())
    assert result.observations == ()
    assert result.attempts[0].status is ProbeStatus.MALFORMED


@pytest.mark.asyncio
async def test_huge_body_is_too_large_but_head_is_kept(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    head = b"HTTP/1.1 200 OK\r\nServer: Huge\r\nContent-Length: 10000000\r\n\r\n"
    dev = await device(80, lambda d: head + b"A" * 10_000_000 if b"\r\n\r\n" in d else None)
    result = await http.probe(ProbeTarget(HOST, 80, job="/"), dev.connector())
    assert result.attempts[0].status is ProbeStatus.TOO_LARGE
    assert result.observations[0].fields["http.header.server"] == "Huge"


def test_jobs_are_the_fixed_paths_and_the_canary() -> None:
    assert http.JOBS[0] == "/" and http.JOBS[-1] == http.CANARY
    assert "/SDK/activateStatus" in http.JOBS and "/axis-cgi/basicdeviceinfo.cgi" in http.JOBS
