"""Active probes: one module per probe, registered here (STYLE.md R2, mitmproxy ``default_addons()``).

A guard test (tests/sources/probes/test_registry.py) fails when a module in this folder is missing from
`PROBES`. Modules starting with an underscore are shared helpers, not probes.
"""

from __future__ import annotations

from camaudit.sources.probes import (
    dhip,
    dvrip,
    dvrip_legacy,
    hiksdk,
    http,
    mdns,
    neighbour,
    onvif,
    rtsp,
    sadp,
    ssdp,
    tcp,
    tls,
    upnp,
    wsdiscovery,
)
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage

PROBES: tuple[Probe, ...] = (
    tcp.PROBE,
    sadp.PROBE,
    dhip.PROBE,
    dvrip_legacy.PROBE,
    wsdiscovery.PROBE,
    ssdp.PROBE,
    mdns.PROBE,
    http.PROBE,
    tls.PROBE,
    rtsp.PROBE,
    onvif.PROBE,
    dvrip.PROBE,
    hiksdk.PROBE,
    neighbour.PROBE,
    upnp.PROBE,
)

__all__ = ["PROBES", "Probe", "ProbeResult", "ProbeTarget", "Stage"]
