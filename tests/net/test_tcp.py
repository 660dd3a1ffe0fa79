"""One TCP exchange on its own: handshake only, read until done, a codec's refusal ends the read."""

from __future__ import annotations

import asyncio
import ssl

import pytest

from camaudit.errors import ProtocolError
from camaudit.model import ProbeStatus
from camaudit.net.limits import Limits
from camaudit.net.tcp import open_stream, session, tls_context

LIMITS = Limits(connect_timeout=1.0, read_timeout=1.0, read_cap=16)


async def _serve(reply: bytes, done: list[asyncio.Event]) -> asyncio.Server:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if await reader.read(100):
                writer.write(reply)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.transport.abort()
            done.append(asyncio.Event())

    return await asyncio.start_server(answer, "127.0.0.1", 0)


@pytest.mark.asyncio
async def test_reads_until_done_then_stops_and_a_refusal_by_the_codec_is_malformed() -> None:
    handled: list[asyncio.Event] = []
    server = await _serve(b"HELLO\r\n\r\nrest", handled)
    port = server.sockets[0].getsockname()[1]
    try:
        out = await session("127.0.0.1", port, b"ask", lambda d: d.endswith(b"\r\n\r\n"), None, LIMITS)
        assert (out.status, out.connected) == (ProbeStatus.OK, True) and out.data.startswith(b"HELLO")

        def refuse(data: bytes) -> bool:
            if data:
                raise ProtocolError("not ours")
            return False

        bad = await session("127.0.0.1", port, b"ask", refuse, None, LIMITS)
        assert (bad.status, bad.reason) == (ProbeStatus.MALFORMED, "not ours")
        bare = await session("127.0.0.1", port, None, lambda d: False, None, LIMITS)
        assert (bare.status, bare.data) == (ProbeStatus.OK, b"")  # connect only, nothing sent or read
    finally:
        while len(handled) < 3:  # every connection handled and closed on the server side too
            await asyncio.sleep(0.01)
        server.close()
        await server.wait_closed()


def test_tls_is_read_without_verification() -> None:
    ctx = tls_context()
    assert ctx.verify_mode is ssl.CERT_NONE and not ctx.check_hostname


@pytest.mark.asyncio
async def test_the_connect_starts_in_the_same_loop_step_as_its_rate_token() -> None:
    # The token bucket paces grants; if the connect ran a loop turn later (wait_for's task), a busy loop
    # would bunch SYNs on the wire past rate + burst (seen in the scope test under load).
    server = await asyncio.start_server(lambda r, w: w.transport.abort(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    loop = asyncio.get_running_loop()
    order: list[str] = []
    real_connect = loop.sock_connect

    async def spy(sock: object, address: object) -> None:
        order.append("connect")
        await real_connect(sock, address)  # type: ignore[arg-type]

    loop.sock_connect = spy  # type: ignore[method-assign]
    try:
        loop.call_soon(order.append, "next loop step")
        _, writer = await open_stream("127.0.0.1", port, None, 1.0)
        writer.transport.abort()
    finally:
        del loop.sock_connect
        server.close()
        await server.wait_closed()
    assert order[:2] == ["connect", "next loop step"]
