"""Hikvision SADP on UDP 37020 (devices.md §1.1): answers `inquiry` with the profile's ProbeMatch.

Every other message type (activate, update, reboot, restore, resetPassword …) would change the
device: it is logged as state-changing and never answered.
"""

from __future__ import annotations

from camaudit.errors import ProtocolError
from camaudit.lab.profile import Service
from camaudit.lab.servers.base import DeviceContext, Running, ServerKind, UdpServer
from camaudit.lab.spec_discovery import SadpSpec
from camaudit.protocols import sadp

READ_ONLY_TYPES = frozenset({"inquiry", "inquiry_v32"})  # hikvision-tooling commands.go


def _responder(ctx: DeviceContext, service: Service, spec: SadpSpec) -> UdpServer:
    def respond(data: bytes, peer: str) -> bytes | None:
        try:
            inquiry = sadp.parse_inquiry(data)
        except ProtocolError:
            ctx.record(service, "malformed", body_size=len(data), peer=peer, state_changing=False)
            return None
        changing = inquiry.types.strip().lower() not in READ_ONLY_TYPES
        ctx.record(service, inquiry.types, body_size=len(data), peer=peer, state_changing=changing)
        if changing:
            return None
        if spec.raw_reply is not None:
            return spec.raw_reply
        return sadp.build_reply({k: ctx.fill(v) for k, v in spec.fields}, inquiry.uuid)

    return UdpServer(respond)


async def start(ctx: DeviceContext, service: Service) -> Running:
    assert isinstance(service.spec, SadpSpec)
    group = sadp.MULTICAST_GROUP if ctx.multicast else None
    return await _responder(ctx, service, service.spec).start(ctx.address, ctx.port(service), group=group)


SERVER = ServerKind(("sadp",), start)
