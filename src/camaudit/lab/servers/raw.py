"""Hostile TCP behaviours: `flood` (a 10 MB banner the moment a client connects) and `silent`
(slowloris: accept, never answer, hang up only after `hold` seconds)."""

from __future__ import annotations

import asyncio
import contextlib

from camaudit.lab.profile import Service
from camaudit.lab.servers.base import DeviceContext, Handler, Running, ServerKind, TcpServer, send
from camaudit.lab.spec_discovery import RawSpec


def _handler(ctx: DeviceContext, service: Service, spec: RawSpec) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str) -> None:
        ctx.record(service, "connect", peer=peer)
        if spec.behaviour == "flood":
            await send(writer, (spec.fill * (spec.size // len(spec.fill) + 1))[: spec.size])
            return
        with contextlib.suppress(TimeoutError):
            # Drain what the client sends (bounded by the read size) but never write a byte.
            async with asyncio.timeout(spec.hold):
                while await reader.read(4096):
                    pass

    return handle


async def start(ctx: DeviceContext, service: Service) -> Running:
    assert isinstance(service.spec, RawSpec)
    return await TcpServer(_handler(ctx, service, service.spec)).start(ctx.address, ctx.port(service))


SERVER = ServerKind(("raw",), start)
