"""mDNS / DNS-SD on UDP 5353 (RFC 6762, RFC 6763): a query for an advertised service type gets an answer.

A standard query whose PTR (or ANY) question names one of the profile's service types is answered as
a legacy unicast query (RFC 6762 §6.7: to its sender, same id, questions repeated, short TTLs) with
PTR, SRV, TXT and A records, the A record carrying the device's own address. A response, an
announcement or any other opcode (DNS UPDATE would change the device's records) is logged as
state-changing and never answered; unparseable bytes are logged as malformed.
"""

from __future__ import annotations

from camaudit.errors import ProtocolError
from camaudit.lab.profile import Service
from camaudit.lab.servers.base import DeviceContext, Running, ServerKind, UdpServer
from camaudit.lab.spec_discovery import MdnsSpec
from camaudit.protocols import mdns


def _offered(spec: MdnsSpec) -> list[mdns.ServiceInstance]:
    return [mdns.ServiceInstance(s.type, s.instance, s.host, s.port, s.txt) for s in spec.services]


def _responder(ctx: DeviceContext, service: Service, spec: MdnsSpec) -> UdpServer:
    offered = _offered(spec)

    def respond(data: bytes, peer: str) -> list[bytes] | None:
        try:
            message = mdns.parse_message(data)
        except ProtocolError:
            ctx.record(service, "malformed", body_size=len(data), peer=peer)
            return None
        asked = ",".join(q.text for q in message.questions)[:512]
        if message.is_response or message.opcode != 0:
            kind = "response" if message.is_response else f"opcode-{message.opcode}"
            ctx.record(service, kind, path=asked, body_size=len(data), peer=peer, state_changing=True)
            return None
        ctx.record(service, "query", path=asked, body_size=len(data), peer=peer)
        return [mdns.build_response(message, s, ctx.address) for s in offered if mdns.asks_for(message, s)]

    return UdpServer(respond)


async def start(ctx: DeviceContext, service: Service) -> Running:
    assert isinstance(service.spec, MdnsSpec)
    group = mdns.MULTICAST_GROUP if ctx.multicast else None
    return await _responder(ctx, service, service.spec).start(ctx.address, ctx.port(service), group=group)


SERVER = ServerKind(("mdns",), start)
