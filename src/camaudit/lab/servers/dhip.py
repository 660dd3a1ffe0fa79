"""Dahua DHIP discovery on UDP 37810 (devices.md §2.1): answers `DHDiscover.search` with the
profile's `client.notifyDevInfo`. Any other method (DHDiscover.setConfig changes the IP,
DevInit.account initialises the device …) is logged as state-changing and answered with an error."""

from __future__ import annotations

from typing import Any

from camaudit.errors import ProtocolError
from camaudit.lab.profile import Service
from camaudit.lab.servers.base import DeviceContext, Running, ServerKind, UdpServer
from camaudit.lab.spec_discovery import DhipSpec
from camaudit.protocols import dhip

# Dahua's "unknown method" error code, as in the rroller/dahua fake device (reference/dahua).
_REFUSED = {"result": False, "error": {"code": 268894210, "message": "Method not supported"}}


def _fill(ctx: DeviceContext, value: Any) -> Any:
    if isinstance(value, str):
        return ctx.fill(value)
    if isinstance(value, dict):
        return {k: _fill(ctx, v) for k, v in value.items()}
    return value


def _responder(ctx: DeviceContext, service: Service, spec: DhipSpec) -> UdpServer:
    def respond(data: bytes, peer: str) -> bytes | None:
        try:
            msg = dhip.parse_message(data)
        except ProtocolError:
            ctx.record(service, "malformed", body_size=len(data), peer=peer)
            return None
        method = str(msg.body.get("method", "unknown"))
        search = dhip.is_search(msg)
        ctx.record(service, method, body_size=len(data), peer=peer, state_changing=not search)
        if not search:
            return dhip.build_message(_REFUSED, session=msg.session, request_id=msg.request_id)
        return dhip.build_device_info_reply(ctx.fill(spec.mac), _fill(ctx, dict(spec.device_info)))

    return UdpServer(respond)


async def start(ctx: DeviceContext, service: Service) -> Running:
    assert isinstance(service.spec, DhipSpec)
    group = dhip.MULTICAST_GROUP if ctx.multicast else None
    return await _responder(ctx, service, service.spec).start(ctx.address, ctx.port(service), group=group)


SERVER = ServerKind(("dhip",), start)
