"""ONVIF WS-Discovery ``Probe``, unicast to UDP 3702 (devices.md §3).

Each ``ProbeMatch`` becomes one observation: endpoint (Hikvision's embeds the MAC), types, scopes
(``name/``, ``hardware/``, Dahua's ``extension/unique_identifier``) and XAddrs.
"""

from __future__ import annotations

from collections.abc import Sequence

from camaudit.model import Transport
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import wsdiscovery
from camaudit.sources.probes import _udp
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage

NAME = "wsdiscovery"
PORTS = ((wsdiscovery.PORT, Transport.UDP),)
STAGE = Stage.REACH
KIND = "wsdiscovery.match"
REQUEST = ReadOnlyRequest.wsdiscovery_probe


def decode(data: bytes) -> Sequence[tuple[dict[str, str], str | None]]:
    return [(wsdiscovery.observation_fields(m), None) for m in wsdiscovery.parse_probe_matches(data)]


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    request = REQUEST()
    return await _udp.ask(NAME, target, conn, request, kind=KIND, decode=decode)


PROBE = Probe(NAME, PORTS, probe, STAGE)
