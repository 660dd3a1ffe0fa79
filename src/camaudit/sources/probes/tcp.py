"""TCP connect sweep over the ports cameras, NVRs and their neighbours use (devices.md §4.3 port map).

A full connect (no raw SYN scan: no root needed, nothing half-open left on fragile devices); the
connection is closed at once and nothing is sent.
"""

from __future__ import annotations

from camaudit.model import ProbeStatus, Transport
from camaudit.net.connector import Connector
from camaudit.sources.probes._base import Probe, ProbeResult, ProbeTarget, Stage, observe

NAME = "tcp"
# 80/443 web, 554/8554 RTSP, 8000 Hikvision SDK, 8080/8443 alt web, 37777/37778 Dahua DVRIP,
# 2020/8899 ONVIF on some OEMs, 5000 Dahua DHIP-over-TCP, 631 IPP (printers), 22/23 SSH/telnet.
CAMERA_PORTS = (80, 443, 554, 8000, 8080, 8443, 8554, 37777, 37778, 2020, 5000, 8899, 631, 22, 23)
PORTS = tuple((port, Transport.TCP) for port in CAMERA_PORTS)
STAGE = Stage.REACH


async def probe(target: ProbeTarget, conn: Connector) -> ProbeResult:
    attempt = await conn.connect_tcp(target.ip, target.port, probe=NAME)
    if attempt.status is not ProbeStatus.OK:
        return ProbeResult(attempts=(attempt,))
    seen = observe(NAME, target, protocol="tcp", kind="tcp.open", fields={})
    return ProbeResult(observations=(seen,), attempts=(attempt,))


PROBE = Probe(NAME, PORTS, probe, STAGE)
