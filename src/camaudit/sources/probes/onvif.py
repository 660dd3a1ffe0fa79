"""ONVIF device service: ``GetSystemDateAndTime`` and ``GetDeviceInformation`` (devices.md §3).

Both are read-only device-management operations sent as SOAP 1.2 POSTs to ``/onvif/device_service``
whose bodies our codec builds (`ReadOnlyRequest.onvif`). GetSystemDateAndTime needs no authentication
in ONVIF Core (clock skew is itself an audit finding); GetDeviceInformation often answers with a
``ter:NotAuthorized`` fault, which is recorded as ``onvif.fault``.
"""

from __future__ import annotations

from camaudit.errors import ProtocolError
from camaudit.model import ProbeStatus, Transport
from camaudit.net import web as _web
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import onvif
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage, failed, observe

NAME = "onvif"
# The plain HTTP ports plus 2020 and 8899, where several OEM firmwares put their ONVIF service.
# (ONVIF over HTTPS exists but is rare; not probed blind, to keep POSTs to a minimum.)
PORTS = tuple((port, Transport.TCP) for port in (80, 8080, 2020, 8899))
JOBS = ("GetSystemDateAndTime", "GetDeviceInformation")
KINDS = {
    "GetSystemDateAndTime": "onvif.system_date_and_time",
    "GetDeviceInformation": "onvif.device_information",
}
STAGE = Stage.SERVICE


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    tls = target.port in _web.TLS_PORTS
    request = ReadOnlyRequest.onvif(target.job, _web.authority(target.ip, target.port, tls=tls))
    ex = await conn.exchange_tcp(
        target.ip, target.port, request, done=_web.response_done("POST"), tls=tls, probe=NAME
    )
    resp = _web.parse(ex.data, "POST")
    if isinstance(resp, str):
        if not ex.data:
            return ProbeResult(attempts=(ex.attempt,))
        return ProbeResult(attempts=(failed(ex.attempt, ProbeStatus.MALFORMED, resp),))
    try:
        answer = onvif.parse_response(resp.body)
    except ProtocolError as exc:
        reason = f"no ONVIF answer (HTTP {resp.status}): {exc}"
        return ProbeResult(attempts=(failed(ex.attempt, ProbeStatus.MALFORMED, reason),))
    fields = onvif.observation_fields(answer)
    seen = observe(NAME, target, protocol="onvif", kind=KINDS[target.job], fields=fields, raw=resp.body)
    return ProbeResult(observations=(seen,), attempts=(ex.attempt,))


PROBE = Probe(NAME, PORTS, probe, STAGE, JOBS)
