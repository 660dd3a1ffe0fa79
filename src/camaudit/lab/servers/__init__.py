"""The lab's servers, one module per protocol, and the explicit registry (STYLE.md R2).

Adding a protocol: a module here exposing `SERVER` (a `base.ServerKind`), one line in `SERVERS`,
a spec parser in `camaudit.lab.profile`, and a test in tests/lab/servers/.
"""

from __future__ import annotations

from camaudit.lab.servers import dhip, dvrip, hiksdk, http, mdns, raw, rtsp, sadp, ssdp, wsdiscovery
from camaudit.lab.servers.base import ServerKind

SERVERS: tuple[ServerKind, ...] = (
    http.SERVER,
    rtsp.SERVER,
    sadp.SERVER,
    dhip.SERVER,
    dvrip.LEGACY_SERVER,
    dvrip.SERVER,
    hiksdk.SERVER,
    wsdiscovery.SERVER,
    ssdp.SERVER,
    mdns.SERVER,
    raw.SERVER,
)


def server_for(protocol: str) -> ServerKind:
    """The server registered for a profile protocol; KeyError when none is."""
    for kind in SERVERS:
        if protocol in kind.protocols:
            return kind
    raise KeyError(protocol)
