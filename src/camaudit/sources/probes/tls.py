"""TLS: the server certificate on 443/8443 (devices.md §4.1-4.2: Hikvision and Dahua default subjects).

Only the handshake: nothing is sent after it. The certificate is not verified (cameras are
self-signed); its fields come from `camaudit.protocols.tls.certificate_fields` (RFC 5280).
"""

from __future__ import annotations

from camaudit.errors import ProtocolError
from camaudit.model import ProbeStatus, Transport
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import tls
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage, failed, observe

NAME = "tls"
PORTS = ((443, Transport.TCP), (8443, Transport.TCP))
STAGE = Stage.SERVICE


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    request = ReadOnlyRequest.tls_handshake()
    ex = await conn.exchange_tcp(target.ip, target.port, request, done=bool, tls=True, probe=NAME)
    if ex.peer_cert_der is None:
        return ProbeResult(attempts=(ex.attempt,))
    try:
        fields = tls.certificate_fields(ex.peer_cert_der)
    except ProtocolError as exc:
        return ProbeResult(attempts=(failed(ex.attempt, ProbeStatus.MALFORMED, str(exc)),))
    seen = observe(NAME, target, protocol="tls", kind="tls.certificate", fields=fields, raw=ex.peer_cert_der)
    return ProbeResult(observations=(seen,), attempts=(ex.attempt,))


PROBE = Probe(NAME, PORTS, probe, STAGE)
