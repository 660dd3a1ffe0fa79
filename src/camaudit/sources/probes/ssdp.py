"""SSDP ``M-SEARCH`` for ``upnp:rootdevice``, unicast to UDP 1900 (UPnP Device Architecture 1.1 §1.3).

Only the search is ever sent (`ReadOnlyRequest.ssdp_msearch`); each reply's ``SERVER`` (OS, UPnP stack
and product, e.g. Dahua's "ZheJiang Dahua Technology CO.,LTD. Upnp SDK"), ``LOCATION``, ``ST`` and ``USN``
(Axis's embeds the MAC) become ``ssdp.*`` fields. The description that LOCATION names is fetched later,
by the ``upnp`` follow-up probe, and only from the host that answered.
"""

from __future__ import annotations

from collections.abc import Sequence

from camaudit.model import Transport
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import upnp
from camaudit.sources.probes import _udp
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage

NAME = "ssdp"
PORTS = ((upnp.PORT, Transport.UDP),)
STAGE = Stage.REACH
KIND = "ssdp.reply"
REQUEST = ReadOnlyRequest.ssdp_msearch


def decode(data: bytes) -> Sequence[tuple[dict[str, str], str | None]]:
    if upnp.is_msearch(data):
        return []  # a search reflected back (e.g. by a liar): not a device reply
    return [(upnp.reply_fields(upnp.parse_reply(data)), None)]


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    request = REQUEST()
    return await _udp.ask(NAME, target, conn, request, kind=KIND, decode=decode)


PROBE = Probe(NAME, PORTS, probe, STAGE)
