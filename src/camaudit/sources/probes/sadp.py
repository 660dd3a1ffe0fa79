"""Hikvision SADP inquiry, unicast to UDP 37020 (devices.md §1.1).

Only ``<Types>inquiry</Types>`` is ever sent (`ReadOnlyRequest.sadp_inquiry`); the reply's
``<ProbeMatch>`` carries model, serial, MAC, firmware, activation and Hik-Connect state.
"""

from __future__ import annotations

from collections.abc import Sequence

from camaudit.model import Transport
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import sadp
from camaudit.sources.probes import _udp
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage

NAME = "sadp"
PORTS = ((sadp.PORT, Transport.UDP),)
STAGE = Stage.REACH
KIND = "sadp.reply"
REQUEST = ReadOnlyRequest.sadp_inquiry


def decode(data: bytes) -> Sequence[tuple[dict[str, str], str | None]]:
    reply = sadp.parse_reply(data)
    return [(sadp.observation_fields(reply), reply.mac)]


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    request = REQUEST()
    return await _udp.ask(NAME, target, conn, request, kind=KIND, decode=decode)


PROBE = Probe(NAME, PORTS, probe, STAGE)
