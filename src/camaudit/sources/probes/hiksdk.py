"""Hikvision SDK port TCP 8000: listen for the 16-byte banner the device sends first (devices.md §4.1,
nmap's NULL-probe match ``\\0\\0\\0\\x10\\0\\0\\0\\x1e\\0\\0\\0\\x1e\\0\\0\\0\\0``). Nothing is sent."""

from __future__ import annotations

from camaudit.errors import ProtocolError
from camaudit.model import ProbeStatus, Transport
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import hiksdk
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage, failed, observe

NAME = "hiksdk"
PORTS = ((hiksdk.PORT, Transport.TCP),)
STAGE = Stage.SERVICE


def complete(data: bytes) -> bool:
    return len(data) >= hiksdk.BANNER_SIZE


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    request = ReadOnlyRequest.listen()
    ex = await conn.exchange_tcp(target.ip, target.port, request, done=complete, probe=NAME)
    if not ex.data:
        return ProbeResult(attempts=(ex.attempt,))
    try:
        banner = hiksdk.parse_banner(ex.data[: hiksdk.BANNER_SIZE])
    except ProtocolError as exc:
        return ProbeResult(attempts=(failed(ex.attempt, ProbeStatus.MALFORMED, str(exc)),))
    fields = hiksdk.observation_fields(banner)
    seen = observe(NAME, target, protocol="hiksdk", kind="hiksdk.reply", fields=fields, raw=ex.data)
    return ProbeResult(observations=(seen,), attempts=(ex.attempt,))


PROBE = Probe(NAME, PORTS, probe, STAGE)
