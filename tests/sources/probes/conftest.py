"""Small loopback servers that answer with real-world-shaped bytes, and a Connector scoped to them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
import pytest_asyncio

from camaudit.model import Transport
from camaudit.net.connector import Connector
from camaudit.net.limits import Limits
from camaudit.scope import Scope

HOST = "127.0.0.1"
Reply = Callable[[bytes], bytes | None]  # request bytes so far -> reply (None: keep reading)


@dataclass
class FakeDevice:
    """Records what it received, so tests can check exactly what a probe sent."""

    received: list[bytes] = field(default_factory=list)
    port_map: dict[tuple[int, Transport], int] = field(default_factory=dict)

    def connector(self, **limits: float) -> Connector:
        lim = Limits(**{"read_timeout": 1.0, "connect_timeout": 1.0, "udp_wait": 0.5, **limits})  # type: ignore[arg-type]
        return Connector(lim, scope=Scope(addresses=(HOST,)), port_map=self.port_map)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, device: FakeDevice, reply: Reply) -> None:
        self.device, self.reply = device, reply
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.device.received.append(data)
        answer = self.reply(data)
        if answer is not None and self.transport is not None:
            self.transport.sendto(answer, addr)


@pytest_asyncio.fixture
async def device() -> AsyncIterator[Callable[..., Awaitable[FakeDevice]]]:
    """`await device(port, reply, transport=Transport.TCP, speak_first=b"", ssl=None)`: serve `reply`
    on a free local port, mapped from the probe's well-known `port`."""
    closers: list[Callable[[], Awaitable[None]]] = []
    state = FakeDevice()

    async def start(
        port: int, reply: Reply, transport: Transport = Transport.TCP, speak_first: bytes = b"", **kw: object
    ) -> FakeDevice:
        if transport is Transport.UDP:
            loop = asyncio.get_running_loop()
            udp, _ = await loop.create_datagram_endpoint(lambda: _Udp(state, reply), local_addr=(HOST, 0))
            state.port_map[(port, transport)] = udp.get_extra_info("sockname")[1]

            async def close_udp() -> None:
                udp.close()

            closers.append(close_udp)
            return state
        tasks: set[asyncio.Task[None]] = set()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)
            try:
                await _serve(state, reply, speak_first, reader, writer)
            except (ConnectionError, OSError, asyncio.CancelledError):
                pass
            finally:
                writer.transport.abort()

        server = await asyncio.start_server(handle, HOST, 0, **kw)  # type: ignore[arg-type]
        state.port_map[(port, transport)] = server.sockets[0].getsockname()[1]

        async def close_tcp() -> None:
            server.close()
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await server.wait_closed()

        closers.append(close_tcp)
        return state

    yield start
    for close in closers:
        await close()


async def _serve(
    state: FakeDevice,
    reply: Reply,
    speak_first: bytes,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> None:
    if speak_first:
        writer.write(speak_first)
        await writer.drain()
    data = b""
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            return
        data += chunk
        answer = reply(data)
        if answer is not None:
            state.received.append(data)
            writer.write(answer)
            await writer.drain()
            await asyncio.sleep(0.5)  # like many cameras: keep the connection open after replying
            return


@pytest.fixture
def after_blank_line() -> Callable[[bytes], Reply]:
    """A reply function that answers `answer` once a request head (ending in a blank line) arrived."""

    def make(answer: bytes) -> Reply:
        def reply(data: bytes) -> bytes | None:
            if b"\r\n\r\n" not in data:
                return None
            head, _, body = data.partition(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            return answer if len(body) >= length else None

        return reply

    return make
