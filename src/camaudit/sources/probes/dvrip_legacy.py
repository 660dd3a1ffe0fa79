"""Dahua legacy discovery, unicast to UDP 5050 (devices.md §2.2; older DVRs and NVRs)."""

from __future__ import annotations

from collections.abc import Sequence

from camaudit.model import Transport
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import dvrip
from camaudit.sources.probes import _udp
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage

NAME = "dvrip_legacy"
PORTS = ((dvrip.LEGACY_DISCOVERY_PORT, Transport.UDP),)
STAGE = Stage.REACH
KIND = "dvrip.legacy_reply"
REQUEST = ReadOnlyRequest.dahua_legacy_search


def decode(data: bytes) -> Sequence[tuple[dict[str, str], str | None]]:
    fields = dvrip.parse_legacy_reply(data)
    return [(fields, fields.get("dvrip.legacy.mac"))]


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    request = REQUEST()
    return await _udp.ask(NAME, target, conn, request, kind=KIND, decode=decode)


PROBE = Probe(NAME, PORTS, probe, STAGE)
