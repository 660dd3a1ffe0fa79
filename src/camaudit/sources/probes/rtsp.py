"""RTSP: OPTIONS and DESCRIBE of ``rtsp://ip:port/`` (RFC 2326 §10.1-10.2; both only describe).

The reply's Server header, Public methods, WWW-Authenticate realms (``Digest realm="Hikvision"``,
``Login to <serial>`` on Dahua firmware, devices.md §4) and SDP session names are the tells.
"""

from __future__ import annotations

from camaudit.errors import ProtocolError
from camaudit.model import ProbeStatus, Transport
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import rtsp
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage, failed, observe

NAME = "rtsp"
PORTS = ((554, Transport.TCP), (8554, Transport.TCP))
JOBS = ("OPTIONS", "DESCRIBE")
STAGE = Stage.SERVICE


def url(ip: str, port: int) -> str:
    host = f"[{ip}]" if ":" in ip else ip
    return f"rtsp://{host}:{port}/"


def _request(target: ProbeTarget) -> ReadOnlyRequest:
    if target.job == "DESCRIBE":
        return ReadOnlyRequest.rtsp_describe(url(target.ip, target.port), cseq=2)
    return ReadOnlyRequest.rtsp_options(url(target.ip, target.port), cseq=1)


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    request = _request(target)
    ex = await conn.exchange_tcp(target.ip, target.port, request, done=rtsp.response_complete, probe=NAME)
    if not ex.data:
        return ProbeResult(attempts=(ex.attempt,))
    try:
        resp = rtsp.parse_response(ex.data)
    except ProtocolError as exc:
        return ProbeResult(attempts=(failed(ex.attempt, ProbeStatus.MALFORMED, str(exc)),))
    fields = rtsp.observation_fields(resp, method=request.method)
    seen = observe(NAME, target, protocol="rtsp", kind="rtsp.response", fields=fields, raw=ex.data)
    return ProbeResult(observations=(seen,), attempts=(ex.attempt,))


PROBE = Probe(NAME, PORTS, probe, STAGE, JOBS)
