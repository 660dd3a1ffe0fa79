"""HTTP(S): one GET of a fixed path per job, plus a random canary path (the liar test).

Paths (devices.md §4): ``/`` (title, Server header, redirects), ``/favicon.ico`` (favicon hashes),
``/doc/page/login.asp`` (Hikvision web UI), ``/SDK/activateStatus`` (Hikvision, unauthenticated: activation
state), ``/ISAPI/System/deviceInfo`` (Hikvision ISAPI; 401 Digest without credentials is itself a tell),
``/cgi-bin/magicBox.cgi?action=getDeviceType`` (Dahua CGI), ``/axis-cgi/basicdeviceinfo.cgi`` (Axis VAPIX).
A device answering 200 to a random path answers 200 to everything (nuclei's weak-matcher honeypot
lesson, STYLE.md R9): the canary job records ``http.catch_all`` so identify can discount URL-layout
evidence. Redirects are not followed (one connection per job); ``http.location`` records them.
"""

from __future__ import annotations

import secrets

from camaudit.model import Observation, ProbeStatus, Transport
from camaudit.net import web as _web
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import http
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage, failed, observe

NAME = "http"
PORTS = ((80, Transport.TCP), (8080, Transport.TCP), (443, Transport.TCP), (8443, Transport.TCP))
PATHS = (
    "/",
    "/favicon.ico",
    "/doc/page/login.asp",
    "/SDK/activateStatus",
    "/ISAPI/System/deviceInfo",
    "/cgi-bin/magicBox.cgi?action=getDeviceType",
    "/axis-cgi/basicdeviceinfo.cgi",
)
CANARY = "canary"
JOBS = (*PATHS, CANARY)
STAGE = Stage.SERVICE


def canary_path() -> str:
    """A path no real device serves: 16 random hex characters under a name that says who asked."""
    return f"/camaudit-canary-{secrets.token_hex(8)}"


def _observations(target: ProbeTarget, path: str, resp: http.HttpResponse, raw: bytes) -> list[Observation]:
    tls = target.port in _web.TLS_PORTS
    fields = http.observation_fields(resp, path=path)
    if tls:
        fields["http.tls"] = "true"
    if target.job == CANARY:
        fields["http.catch_all"] = "true" if resp.status == 200 else "false"
    found = [observe(NAME, target, protocol="http", kind="http.response", fields=fields, raw=raw)]
    if path == "/favicon.ico" and resp.status == 200 and resp.body:
        hashes = {"http.path": path, **http.favicon_hashes(resp.body)}
        found.append(observe(NAME, target, protocol="http", kind="http.favicon", fields=hashes))
    return found


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    tls = target.port in _web.TLS_PORTS
    path = canary_path() if target.job == CANARY else target.job
    request = ReadOnlyRequest.http_get(_web.authority(target.ip, target.port, tls=tls), path)
    ex = await conn.exchange_tcp(
        target.ip, target.port, request, done=_web.response_done("GET"), tls=tls, probe=NAME
    )
    resp = _web.parse(ex.data, "GET")
    if isinstance(resp, str):
        if not ex.data:
            return ProbeResult(attempts=(ex.attempt,))
        return ProbeResult(attempts=(failed(ex.attempt, ProbeStatus.MALFORMED, resp),))
    found = _observations(target, path, resp, ex.data)
    return ProbeResult(observations=tuple(found), attempts=(ex.attempt,))


PROBE = Probe(NAME, PORTS, probe, STAGE, JOBS)
