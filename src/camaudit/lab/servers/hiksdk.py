"""Hikvision SDK port TCP 8000: the device speaks first with the 16-byte greeting nmap's NULL probe
matches (devices.md §4.1). Whatever a client sends after it (SDK login, config …) is logged as
state-changing and ignored: the lab does not speak the SDK protocol."""

from __future__ import annotations

import asyncio

from camaudit.errors import MessageTooLarge
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
from camaudit.lab.spec_discovery import HikSdkSpec
from camaudit.protocols import hiksdk

READ_CAP = 4096


def _handler(ctx: DeviceContext, service: Service, spec: HikSdkSpec) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str) -> None:
        ctx.record(service, "connect", peer=peer)
        await send(writer, hiksdk.build_banner(spec.code))
        try:
            data = await read_message(reader, lambda d: bool(d), cap=READ_CAP, timeout=ctx.idle_timeout)
        except MessageTooLarge:
            data = b"?" * READ_CAP
        if data:
            ctx.record(service, "sdk-command", body_size=len(data), peer=peer, state_changing=True)

    return handle


async def start(ctx: DeviceContext, service: Service) -> Running:
    assert isinstance(service.spec, HikSdkSpec)
    return await TcpServer(_handler(ctx, service, service.spec)).start(ctx.address, ctx.port(service))


SERVER = ServerKind(("hiksdk",), start)
