"""mDNS / DNS-SD browse as a legacy unicast query to UDP 5353 (RFC 6762 §6.7, RFC 6763 §4).

One query (`ReadOnlyRequest.mdns_query`) asks PTR questions for the service types cameras advertise
(`camaudit.protocols.mdns.BROWSE`). Sent from an ephemeral port, it is answered to us directly. Each
response becomes one ``mdns.answer``: service types, the instance name (Axis and Hikvision put the
model there), the host name and TXT pairs (Axis's ``macaddress``).
"""

from __future__ import annotations

from collections.abc import Sequence

from camaudit.model import Transport
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import mdns
from camaudit.sources.probes import _udp
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage

NAME = "mdns"
PORTS = ((mdns.PORT, Transport.UDP),)
STAGE = Stage.REACH
KIND = "mdns.answer"
REQUEST = ReadOnlyRequest.mdns_query


def decode(data: bytes) -> Sequence[tuple[dict[str, str], str | None]]:
    if mdns.is_query(data):
        return []  # a query (ours reflected, or another browser's): not an answer
    fields = mdns.observation_fields(mdns.parse_response(data))
    return [(fields, None)] if fields else []


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    request = REQUEST()
    return await _udp.ask(NAME, target, conn, request, kind=KIND, decode=decode)


PROBE = Probe(NAME, PORTS, probe, STAGE)
