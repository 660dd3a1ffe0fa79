"""One TCP exchange on its own: handshake only, read until done, a codec's refusal ends the read."""

from __future__ import annotations

import asyncio
import ssl

import pytest

from camaudit.errors import ProtocolError
from camaudit.model import ProbeStatus
from camaudit.net.limits import Limits
from camaudit.net.tcp import session, tls_context

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
