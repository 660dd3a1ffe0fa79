"""Dahua DHIP ``DHDiscover.search``, unicast to UDP 37810 (devices.md §2.1).

The ``client.notifyDevInfo`` reply names the device class, model, serial, firmware and — the OEM tell —
``Vendor`` (Dahua, General, Private, Lorex …).
"""

from __future__ import annotations

from collections.abc import Sequence

from camaudit.model import Transport
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import dhip
from camaudit.sources.probes import _udp
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage

NAME = "dhip"
PORTS = ((dhip.PORT, Transport.UDP),)
STAGE = Stage.REACH
KIND = "dhip.reply"
REQUEST = ReadOnlyRequest.dhip_search


def decode(data: bytes) -> Sequence[tuple[dict[str, str], str | None]]:
    message = dhip.parse_message(data)
    if dhip.is_search(message):
        return []  # our own search reflected back (e.g. by a liar): not a device reply
    fields = dhip.observation_fields(message)
    return [(fields, fields.get("dhip.mac"))]


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    request = REQUEST()
    return await _udp.ask(NAME, target, conn, request, kind=KIND, decode=decode)


PROBE = Probe(NAME, PORTS, probe, STAGE)
