"""What every lab server shares: the device context, bounded reads with idle timeouts, tracked TCP
client tasks (so a slow client never keeps the lab from stopping) and UDP endpoints that answer
unicast inquiries, plus (namespace lab) the discovery multicast group on the device's interface."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from camaudit.errors import MessageTooLarge
from camaudit.lab.profile import Profile, Service
from camaudit.lab.requestlog import RequestLog, RequestRecord

_LOG = logging.getLogger(__name__)
IDLE_TIMEOUT = 10.0  # seconds a client may stay silent before the device hangs up
UDP_CAP = 64 * 1024
WRITE_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class DeviceContext:
    """One running device: its profile, address, port shift and the shared request log."""

    profile: Profile
    address: str
    log: RequestLog
    port_offset: int = 0
    multicast: bool = False
    idle_timeout: float = IDLE_TIMEOUT

    def port(self, service: Service) -> int:
        return service.port + self.port_offset

    def fill(self, text: str) -> str:
        """Fill the profile placeholders (only these three; bodies may hold other braces)."""
        mac = self.profile.mac
        return (
            text.replace("{address}", self.address)
            .replace("{mac_dash}", mac.replace(":", "-"))
            .replace("{mac}", mac)
        )

    def fill_bytes(self, data: bytes) -> bytes:
        if b"{" not in data:
            return data
        return self.fill(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")

    def record(self, service: Service, method: str, **extra: Any) -> RequestRecord:
        return self.log.add(
            self.profile.id, service.protocol, service.port, service.transport, method, **extra
        )


class Running(Protocol):
    """A started server; `stop` releases its sockets and ends its client tasks."""

    async def stop(self) -> None: ...


Starter = Callable[[DeviceContext, Service], Awaitable[Running]]


@dataclass(frozen=True, slots=True)
class ServerKind:
    """Registry entry: the profile protocols a server module serves and how to start it."""

    protocols: tuple[str, ...]
    start: Starter


# --- TCP ---------------------------------------------------------------------------------------------

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, str], Awaitable[None]]
_CLIENT_ERRORS = (ConnectionError, TimeoutError, asyncio.IncompleteReadError, ssl.SSLError, OSError)


class TcpServer:
    """An asyncio server whose client tasks are tracked and cancelled on stop."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int, *, tls: ssl.SSLContext | None = None) -> TcpServer:
        self._server = await asyncio.start_server(
            self._on_client,
            host,
            port,
            ssl=tls,
            reuse_address=True,
            ssl_handshake_timeout=5.0 if tls else None,
        )
        return self

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        peer = writer.get_extra_info("peername")
        try:
            await self._handler(reader, writer, str(peer[0]) if peer else "")
        except _CLIENT_ERRORS:
            pass  # a client hanging up or timing out is normal for a device
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(*_CLIENT_ERRORS, asyncio.CancelledError):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)


async def read_message(
    reader: asyncio.StreamReader, complete: Callable[[bytes], bool], *, cap: int, timeout: float
) -> bytes:
    """Read until `complete(data)` or EOF; MessageTooLarge past `cap`, TimeoutError when idle."""
    data = b""
    while not complete(data):
        chunk = await asyncio.wait_for(reader.read(4096), timeout)
        if not chunk:
            break
        data += chunk
        if len(data) > cap:
            raise MessageTooLarge(f"client sent more than {cap} bytes")
    return data


async def send(writer: asyncio.StreamWriter, *parts: bytes) -> None:
    """Write the parts in chunks with back-pressure (a 10 MB body must not sit in memory twice)."""
    for data in parts:
        view = memoryview(data)
        for start in range(0, len(view), WRITE_CHUNK):
            writer.write(view[start : start + WRITE_CHUNK])
            await writer.drain()


# --- UDP ---------------------------------------------------------------------------------------------

# (datagram, peer address) -> the reply datagram(s), or None for silence
Responder = Callable[[bytes, str], bytes | list[bytes] | None]


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, respond: Responder, reply_via: Callable[[], asyncio.DatagramTransport | None]) -> None:
        self._respond = respond
        self._reply_via = reply_via

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if len(data) > UDP_CAP:
            return
        reply = self._respond(data, str(addr[0]))
        transport = self._reply_via()
        for datagram in [reply] if isinstance(reply, bytes) else reply or []:
            if datagram and transport is not None:
                transport.sendto(datagram, addr)


class UdpServer:
    """A unicast UDP endpoint on the device address, plus optionally the protocol's multicast group
    (its replies leave through the unicast socket, so their source is the device address)."""

    def __init__(self, respond: Responder) -> None:
        self._respond = respond
        self._transports: list[asyncio.DatagramTransport] = []

    def _main(self) -> asyncio.DatagramTransport | None:
        return self._transports[0] if self._transports else None

    async def start(self, host: str, port: int, *, group: str | None = None) -> UdpServer:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Datagrams(self._respond, self._main), local_addr=(host, port)
        )
        self._transports.append(transport)
        if group is not None:
            await self._join(loop, host, port, group)
        return self

    async def _join(self, loop: asyncio.AbstractEventLoop, host: str, port: int, group: str) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((group, port))
            membership = socket.inet_aton(group) + socket.inet_aton(host)
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        except OSError as exc:
            sock.close()
            _LOG.warning("cannot join %s:%d on %s: %s", group, port, host, exc)
            return
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Datagrams(self._respond, self._main), sock=sock
        )
        self._transports.append(transport)

    async def stop(self) -> None:
        for transport in self._transports:
            transport.close()
        self._transports.clear()
        await asyncio.sleep(0)
