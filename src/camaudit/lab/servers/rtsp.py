"""RTSP on TCP 554 (RFC 2326): OPTIONS and DESCRIBE answered from the profile (incl. several
WWW-Authenticate lines and SDP); other methods get 405. ANNOUNCE, RECORD and SET_PARAMETER would
change the device: logged as state-changing, never acted on."""

from __future__ import annotations

import asyncio

from camaudit.errors import ProtocolError
from camaudit.lab.profile import Service
from camaudit.lab.servers.base import (
    DeviceContext,
    Handler,
    Running,
    ServerKind,
    TcpServer,
    read_message,
    send,
)
from camaudit.lab.spec import RtspReply, RtspSpec
from camaudit.protocols import rtsp

MAX_REQUESTS = 8  # per connection: OPTIONS then DESCRIBE is the usual pair
STATE_CHANGING = frozenset({"ANNOUNCE", "RECORD", "SET_PARAMETER"})
_REFUSED = RtspReply(405, "Method Not Allowed", (("Allow", "OPTIONS, DESCRIBE"),))


def _reply(ctx: DeviceContext, spec: RtspSpec, method: str) -> RtspReply:
    return {"OPTIONS": spec.options, "DESCRIBE": spec.describe}.get(method, _REFUSED)


def _handler(ctx: DeviceContext, service: Service, spec: RtspSpec) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str) -> None:
        for _ in range(MAX_REQUESTS):
            data = await read_message(
                reader, rtsp.request_complete, cap=rtsp.MAX_SIZE, timeout=ctx.idle_timeout
            )
            if not data:
                return
            try:
                request = rtsp.parse_request(data)
            except ProtocolError:
                ctx.record(service, "malformed", body_size=len(data), peer=peer)
                await send(writer, rtsp.build_response(400, "Bad Request", 0, ()))
                return
            changing = request.method.upper() in STATE_CHANGING
            ctx.record(service, request.method, path=request.url, peer=peer, state_changing=changing)
            reply = _reply(ctx, spec, request.method.upper())
            headers = [(k, ctx.fill(v)) for k, v in reply.headers]
            await send(
                writer, rtsp.build_response(reply.status, reply.reason, request.cseq, headers, reply.body)
            )

    return handle


async def start(ctx: DeviceContext, service: Service) -> Running:
    assert isinstance(service.spec, RtspSpec)
    return await TcpServer(_handler(ctx, service, service.spec)).start(ctx.address, ctx.port(service))


SERVER = ServerKind(("rtsp",), start)
