"""The UPnP device description an SSDP reply's LOCATION names: one GET, only on the host that answered.

A follow-up probe (`Stage.FOLLOW`): it has no ports of its own. `plan` reads the host's ``ssdp.reply``
observations (unicast or multicast) and keeps a LOCATION only when `camaudit.protocols.upnp.location_target`
accepts it: plain ``http``, the very address that answered, spelt the same way, a path that can be sent.
Another host, another scheme, an out-of-scope address or a name is never fetched (and the `Connector`
refuses out-of-scope addresses anyway). At most one description per host: a device lists the same
LOCATION in every reply. The description's first ``<device>`` becomes ``upnp.*`` fields (UDA 2.0 §2.3).
"""

from __future__ import annotations

from collections.abc import Sequence

from camaudit.errors import ProtocolError
from camaudit.model import Observation, ProbeStatus, Transport
from camaudit.net import web as _web
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import upnp
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage, failed, observe

NAME = "upnp"
PORTS: tuple[tuple[int, Transport], ...] = ()  # the port comes from the LOCATION the device gave
STAGE = Stage.FOLLOW
KIND = "upnp.description"
MAX_FETCHES = 1  # per host


def plan(ip: str, observations: Sequence[Observation]) -> list[ProbeTarget]:
    """GET jobs for the descriptions `ip`'s own SSDP replies point at (see module docstring)."""
    jobs: dict[tuple[int, str], ProbeTarget] = {}
    for obs in observations:
        location = obs.fields.get("ssdp.location", "") if obs.kind == "ssdp.reply" else ""
        found = upnp.location_target(location, ip) if obs.ip == ip and location else None
        if found is not None and len(jobs) < MAX_FETCHES:
            port, path = found
            jobs.setdefault(found, ProbeTarget(ip, port, Transport.TCP, job=path))
    return list(jobs.values())


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    request = ReadOnlyRequest.http_get(_web.authority(target.ip, target.port, tls=False), target.job)
    ex = await conn.exchange_tcp(
        target.ip, target.port, request, done=_web.response_done("GET"), tls=False, probe=NAME
    )
    resp = _web.parse(ex.data, "GET")
    if isinstance(resp, str):
        if not ex.data:
            return ProbeResult(attempts=(ex.attempt,))
        return ProbeResult(attempts=(failed(ex.attempt, ProbeStatus.MALFORMED, resp),))
    try:
        fields = upnp.description_fields(upnp.parse_description(resp.body))
    except ProtocolError as exc:
        reason = f"no UPnP description (HTTP {resp.status}): {exc}"
        return ProbeResult(attempts=(failed(ex.attempt, ProbeStatus.MALFORMED, reason),))
    seen = observe(NAME, target, protocol="upnp", kind=KIND, fields=fields, raw=resp.body)
    return ProbeResult(observations=(seen,), attempts=(ex.attempt,))


PROBE = Probe(NAME, PORTS, probe, STAGE, plan=plan)
