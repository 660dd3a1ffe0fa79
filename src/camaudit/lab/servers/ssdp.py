"""SSDP on UDP 1900 (UPnP Device Architecture 1.1 §1.3): an ``M-SEARCH`` gets the profile's replies.

A search for ``ssdp:all`` gets every reply, any other target the replies whose ST is that target, in
the profile's header order with ``{address}`` filled in (so LOCATION names this device's own HTTP
server, which serves the description). Every other message (NOTIFY, SUBSCRIBE, a SOAP action sent to
1900 …) would be acted on by no read-only client: it is logged as state-changing and never answered.
"""

from __future__ import annotations

from camaudit.errors import ProtocolError
from camaudit.lab.profile import Service
from camaudit.lab.servers.base import DeviceContext, Running, ServerKind, UdpServer
from camaudit.lab.spec_discovery import SsdpSpec
from camaudit.protocols import upnp


def _matching(spec: SsdpSpec, target: str) -> list[list[tuple[str, str]]]:
    def st(reply: tuple[tuple[str, str], ...]) -> str:
        return next(v for k, v in reply if k.lower() == "st")

    return [list(r) for r in spec.replies if target == "ssdp:all" or st(r).lower() == target.lower()]


def _responder(ctx: DeviceContext, service: Service, spec: SsdpSpec) -> UdpServer:
    def respond(data: bytes, peer: str) -> list[bytes] | None:
        try:
            request = upnp.parse_request(data)
        except ProtocolError:
            ctx.record(service, "malformed", body_size=len(data), peer=peer)
            return None
        target = request.headers.get("st", "")
        changing = request.method != "M-SEARCH"
        ctx.record(
            service, request.method, path=target, body_size=len(data), peer=peer, state_changing=changing
        )
        if not request.is_search:
            return None
        replies = _matching(spec, target)
        return [upnp.build_reply([(k, ctx.fill(v)) for k, v in r]) for r in replies] or None

    return UdpServer(respond)


async def start(ctx: DeviceContext, service: Service) -> Running:
    assert isinstance(service.spec, SsdpSpec)
    group = upnp.MULTICAST_GROUP if ctx.multicast else None
    return await _responder(ctx, service, service.spec).start(ctx.address, ctx.port(service), group=group)


SERVER = ServerKind(("ssdp",), start)
