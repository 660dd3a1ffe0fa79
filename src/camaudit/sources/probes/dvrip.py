"""Dahua DVRIP on TCP 37777: the 32-byte realm request (devices.md §2.3).

It only asks for the login realm; the reply ``Realm:Login to <serial>`` leaks the serial before any
login and is a definitive Dahua-family tell (DahuaConsole ``net.py``). No login is ever attempted.
"""

from __future__ import annotations

from camaudit.errors import ProtocolError
from camaudit.model import ProbeStatus, Transport
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import dvrip
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage, failed, observe

NAME = "dvrip"
PORTS = ((dvrip.TCP_PORT, Transport.TCP),)
STAGE = Stage.SERVICE


def complete(data: bytes) -> bool:
    """A whole first packet has arrived (its header's length is satisfied); a bad header ends too."""
    if len(data) < dvrip.HEADER_SIZE:
        return False
    try:
        dvrip.parse_reply(data)
    except ProtocolError as exc:
        if "truncated" in str(exc):
            return False
        raise
    return True


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    request = ReadOnlyRequest.dvrip_realm()
    ex = await conn.exchange_tcp(target.ip, target.port, request, done=complete, probe=NAME)
    if not ex.data:
        return ProbeResult(attempts=(ex.attempt,))
    try:
        reply = dvrip.parse_reply(ex.data)
    except ProtocolError as exc:
        return ProbeResult(attempts=(failed(ex.attempt, ProbeStatus.MALFORMED, str(exc)),))
    fields = dvrip.observation_fields(reply)
    seen = observe(NAME, target, protocol="dvrip", kind="dvrip.reply", fields=fields, raw=ex.data)
    return ProbeResult(observations=(seen,), attempts=(ex.attempt,))


PROBE = Probe(NAME, PORTS, probe, STAGE)
