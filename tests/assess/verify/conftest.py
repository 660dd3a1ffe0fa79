"""A tiny loopback HTTP device for the verification tests: answers by request line, records requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field

import pytest_asyncio

from camaudit.assess.framework import AssessOptions, Context
from camaudit.model import Device, Observation, Transport
from camaudit.net.connector import Connector
from camaudit.net.limits import Limits
from camaudit.scope import Scope

HOST = "127.0.0.1"


def reply(status: int, body: bytes = b"", ctype: str = "text/html") -> bytes:
    head = f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
    head += "Connection: close\r\n\r\n"
    return head.encode() + body


@dataclass
class WebDevice:
    routes: Mapping[str, bytes]
    default: bytes = field(default_factory=lambda: reply(404))
    requests: list[str] = field(default_factory=list)
    port: int = 0

    def context(self, manufacturer: str) -> tuple[Device, Context]:
        limits = Limits(connect_timeout=1.0, read_timeout=1.0)
        conn = Connector(limits, scope=Scope(addresses=(HOST,)), port_map={(80, Transport.TCP): self.port})
        seen = Observation(
            "probe:http", HOST, 80, Transport.TCP, "http", "http.response", {"http.status": "200"}
        )
        device = Device(ips=(HOST,), manufacturer=manufacturer)
        return device, Context((seen,), AssessOptions(), conn)


@pytest_asyncio.fixture
async def web() -> AsyncIterator[Callable[..., asyncio.Future[WebDevice]]]:
    servers: list[asyncio.Server] = []

    async def start(routes: Mapping[str, bytes], default: bytes | None = None) -> WebDevice:
        dev = WebDevice(routes, default or reply(404))

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            head = await reader.readuntil(b"\r\n\r\n")
            line = head.split(b"\r\n", 1)[0].decode()
            dev.requests.append(line)
            method, target, _ = line.split(" ")
            answer = dev.routes.get(target, dev.default)
            writer.write(answer.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n" if method == "HEAD" else answer)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, HOST, 0)
        servers.append(server)
        dev.port = server.sockets[0].getsockname()[1]
        return dev

    yield start  # type: ignore[misc]
    for server in servers:
        server.close()
        await server.wait_closed()
