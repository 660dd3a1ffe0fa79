"""ONVIF WS-Discovery on UDP 3702 (devices.md §3): a Probe gets the profile's ProbeMatch (or, for
hostile-bad-xml, literal malformed bytes). WS-Discovery has no state-changing message a device
accepts on this port, so anything that is not a Probe is logged as malformed and dropped."""

from __future__ import annotations

from camaudit.errors import ProtocolError
from camaudit.lab.profile import Service
from camaudit.lab.servers.base import DeviceContext, Running, ServerKind, UdpServer
from camaudit.lab.spec_discovery import WsdSpec
from camaudit.protocols import wsdiscovery


def _responder(ctx: DeviceContext, service: Service, spec: WsdSpec) -> UdpServer:
    def respond(data: bytes, peer: str) -> bytes | None:
        try:
            probe = wsdiscovery.parse_probe(data)
        except ProtocolError:
            ctx.record(service, "malformed", body_size=len(data), peer=peer)
            return None
        ctx.record(service, "Probe", body_size=len(data), peer=peer)
        if spec.raw_reply is not None:
            return spec.raw_reply
        return wsdiscovery.build_probe_matches(
            relates_to=probe.message_id,
            endpoint=ctx.fill(spec.endpoint),
            types=spec.types,
            scopes=[ctx.fill(s) for s in spec.scopes],
            xaddrs=[ctx.fill(x) for x in spec.xaddrs],
        )

    return UdpServer(respond)


async def start(ctx: DeviceContext, service: Service) -> Running:
    assert isinstance(service.spec, WsdSpec)
    group = wsdiscovery.MULTICAST_GROUP if ctx.multicast else None
    return await _responder(ctx, service, service.spec).start(ctx.address, ctx.port(service), group=group)


SERVER = ServerKind(("wsdiscovery",), start)
