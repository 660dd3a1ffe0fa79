"""Hostile TCP behaviours (`RawSpec`): `flood` (a 10 MB banner the moment a client connects), `silent`
(slowloris: accept, never answer, hang up only after `hold` seconds), `endless` (a reply that never
ends), `reset` (the start of a reply, then a TCP reset) and `rotate` (each request answered with the
next of several vendors' replies)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import socket
import struct
from itertools import count

from camaudit.errors import MessageTooLarge
from camaudit.lab.profile import Service
from camaudit.lab.servers.base import (
    WRITE_CHUNK,
    DeviceContext,
    Handler,
    Running,
    ServerKind,
    TcpServer,
    read_message,
    send,
)
from camaudit.lab.spec_discovery import RawSpec

REQUEST_CAP = 64 * 1024
_CSEQ = re.compile(rb"^cseq[ \t]*:[ \t]*(\d{1,9})[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_STATE_CHANGING = {"PUT", "DELETE", "PATCH", "SET_PARAMETER", "ANNOUNCE", "RECORD"}


def _head_complete(data: bytes) -> bool:
    return b"\r\n\r\n" in data or b"\n\n" in data


async def _first_bytes(reader: asyncio.StreamReader, ctx: DeviceContext) -> bytes:
    """What the client sends first (a request line at least), or b"" when it says nothing in time."""
    with contextlib.suppress(TimeoutError):
        return await asyncio.wait_for(reader.read(4096), ctx.idle_timeout)
    return b""


async def _endless(writer: asyncio.StreamWriter, spec: RawSpec) -> None:
    if spec.prefix:
        await send(writer, spec.prefix)
    chunk = (spec.fill * (WRITE_CHUNK // len(spec.fill) + 1))[:WRITE_CHUNK]
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(spec.hold):  # never past `hold`: the lab must still stop
            while True:
                writer.write(chunk)
                await writer.drain()  # raises once the client has gone


async def _reset(writer: asyncio.StreamWriter, spec: RawSpec) -> None:
    await send(writer, spec.prefix)
    sock = writer.get_extra_info("socket")
    if sock is not None:  # linger on, time 0: close() sends RST instead of FIN (socket(7))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _rotate(ctx: DeviceContext, service: Service, spec: RawSpec) -> Handler:
    turn = count()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str) -> None:
        try:
            request = await read_message(reader, _head_complete, cap=REQUEST_CAP, timeout=ctx.idle_timeout)
        except MessageTooLarge:
            ctx.record(service, "oversized", peer=peer)
            return
        if not request:
            ctx.record(service, "connect", peer=peer)
            return
        method, _, rest = request.partition(b" ")
        verb = method.decode("ascii", "replace")[:16]
        path = rest.partition(b" ")[0].decode("utf-8", "replace")[:256]
        ctx.record(service, verb, path=path, peer=peer, state_changing=verb.upper() in _STATE_CHANGING)
        reply = ctx.fill_bytes(spec.replies[next(turn) % len(spec.replies)])
        found = _CSEQ.search(request)
        await send(writer, reply.replace(b"{cseq}", found.group(1) if found else b"0"))

    return handle


@functools.lru_cache(maxsize=8)
def _flood(fill: bytes, size: int) -> bytes:
    return (fill * (size // len(fill) + 1))[:size]  # built once, shared by every connection


def _handler(ctx: DeviceContext, service: Service, spec: RawSpec) -> Handler:
    if spec.behaviour == "rotate":
        return _rotate(ctx, service, spec)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str) -> None:
        ctx.record(service, "connect", peer=peer)
        if spec.behaviour == "flood":
            await send(writer, _flood(spec.fill, spec.size))
            return
        if spec.behaviour in ("endless", "reset"):
            if await _first_bytes(reader, ctx):
                await (_endless(writer, spec) if spec.behaviour == "endless" else _reset(writer, spec))
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
