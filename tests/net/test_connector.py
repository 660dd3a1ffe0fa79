from __future__ import annotations

import asyncio
import datetime
import socket
import ssl
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from camaudit.errors import ProtocolError
from camaudit.model import ProbeStatus, Transport
from camaudit.net.connector import Connector
from camaudit.net.limits import Limits
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.scope import Scope

LOCAL = "127.0.0.1"
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def tcp_server(handler: Handler, host: str = LOCAL, **kw: object) -> AsyncIterator[int]:
    tasks: set[asyncio.Task[None]] = set()

    async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(reader, writer)
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass  # teardown cancels handlers; swallowing keeps asyncio's stream callback quiet
        finally:
            writer.transport.abort()

    server = await asyncio.start_server(wrapped, host, 0, **kw)  # type: ignore[arg-type]
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


def connector(**limits: float) -> Connector:
    return Connector(Limits(**limits), scope=Scope(addresses=(LOCAL, "127.0.0.2")))  # type: ignore[arg-type]


def listen() -> ReadOnlyRequest:
    return ReadOnlyRequest.listen()


def ends_with_blank_line(data: bytes) -> bool:
    return data.endswith(b"\r\n\r\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOCAL, 0))
        return int(s.getsockname()[1])


@pytest.mark.asyncio
async def test_exchange_reads_until_done_and_records_attempt() -> None:
    async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HELLO\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(5)  # stays open: `done` must end the read, not EOF

    async with tcp_server(reply) as port:
        start = time.monotonic()
        ex = await connector().exchange_tcp(LOCAL, port, listen(), done=ends_with_blank_line, probe="x")
    assert time.monotonic() - start < 1
    assert ex.data == b"HELLO\r\n\r\n"
    assert ex.attempt.status is ProbeStatus.OK
    assert (ex.attempt.probe, ex.attempt.ip, ex.attempt.port) == ("x", LOCAL, port)
    assert ex.attempt.transport is Transport.TCP and ex.attempt.bytes_read == 9


@pytest.mark.asyncio
async def test_request_payload_is_sent() -> None:
    got: list[bytes] = []

    async def read_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        got.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        await writer.drain()

    async with tcp_server(read_request) as port:
        req = ReadOnlyRequest.http_get(f"{LOCAL}:{port}", "/")
        ex = await connector().exchange_tcp(LOCAL, port, req, done=lambda d: False)
    assert got == [req.payload]
    assert ex.data == b"HTTP/1.1 204 No Content\r\n\r\n"
    assert ex.attempt.status is ProbeStatus.OK  # EOF ends the read


@pytest.mark.asyncio
async def test_refused_is_data() -> None:
    port = free_port()
    ex = await connector().exchange_tcp(LOCAL, port, listen(), done=bool)
    assert ex.attempt.status is ProbeStatus.REFUSED
    assert (await connector().connect_tcp(LOCAL, port)).status is ProbeStatus.REFUSED


@pytest.mark.asyncio
async def test_silent_server_times_out_within_the_read_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    async with tcp_server(silent) as port:
        start = time.monotonic()
        ex = await connector(read_timeout=0.3).exchange_tcp(LOCAL, port, listen(), done=bool)
    assert 0.25 < time.monotonic() - start < 1.5
    assert ex.attempt.status is ProbeStatus.TIMEOUT
    assert "0.3s" in (ex.attempt.error_reason or "")


@pytest.mark.asyncio
async def test_slow_drip_is_cut_at_the_read_timeout_with_partial_data() -> None:
    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(0.02)

    async with tcp_server(drip) as port:
        start = time.monotonic()
        ex = await connector(read_timeout=0.4).exchange_tcp(LOCAL, port, listen(), done=lambda d: False)
    assert time.monotonic() - start < 1.5
    assert ex.attempt.status is ProbeStatus.TIMEOUT
    assert 3 < len(ex.data) < 40


@pytest.mark.asyncio
async def test_huge_banner_is_capped_as_too_large() -> None:
    async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"A" * 10_000_000)
        await writer.drain()

    async with tcp_server(flood) as port:
        start = time.monotonic()
        ex = await connector(read_cap=4096).exchange_tcp(LOCAL, port, listen(), done=lambda d: False)
    assert time.monotonic() - start < 2
    assert ex.attempt.status is ProbeStatus.TOO_LARGE
    assert len(ex.data) == 4096 and ex.attempt.bytes_read == 4096


@pytest.mark.asyncio
async def test_reset_is_data() -> None:
    async def rst(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"partial")
        await writer.drain()
        await asyncio.sleep(0.1)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    async with tcp_server(rst) as port:
        ex = await connector().exchange_tcp(LOCAL, port, listen(), done=lambda d: False)
    assert ex.attempt.status in (ProbeStatus.RESET, ProbeStatus.OK)
    assert ex.data == b"partial"


@pytest.mark.asyncio
async def test_codec_rejection_in_done_is_malformed() -> None:
    async def junk(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"\x00junk")
        await writer.drain()
        await asyncio.sleep(5)

    def strict(data: bytes) -> bool:
        if data:
            raise ProtocolError("not a reply")
        return False

    async with tcp_server(junk) as port:
        ex = await connector().exchange_tcp(LOCAL, port, listen(), done=strict)
    assert ex.attempt.status is ProbeStatus.MALFORMED
    assert ex.attempt.error_reason == "not a reply"


@pytest.mark.asyncio
async def test_out_of_scope_address_is_never_contacted() -> None:
    accepted: list[int] = []

    async def count(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)

    async with tcp_server(count, host="127.0.0.3") as port:
        conn = connector()
        ex = await conn.exchange_tcp("127.0.0.3", port, listen(), done=bool)
        attempt = await conn.connect_tcp("127.0.0.3", port)
        udp = await conn.exchange_udp("127.0.0.3", port, ReadOnlyRequest.dhip_search())
        await asyncio.sleep(0.05)
    assert accepted == [] and conn.opened == 0
    assert {ex.attempt.status, attempt.status, udp.attempt.status} == {ProbeStatus.SKIPPED}


@pytest.mark.asyncio
async def test_connect_sweep_open_and_closed() -> None:
    async def nothing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        return

    async with tcp_server(nothing) as port:
        conn = connector()
        assert (await conn.connect_tcp(LOCAL, port)).status is ProbeStatus.OK
        assert (await conn.connect_tcp(LOCAL, free_port())).status is ProbeStatus.REFUSED


@pytest.mark.asyncio
async def test_rate_limit_really_limits_new_connections() -> None:
    stamps: list[float] = []

    async def stamp(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        stamps.append(time.monotonic())

    async with tcp_server(stamp) as port:
        conn = Connector(Limits(rate=20, burst=1), scope=Scope(addresses=(LOCAL,)))
        start = time.monotonic()
        await asyncio.gather(*(conn.connect_tcp(LOCAL, port) for _ in range(30)))
        elapsed = time.monotonic() - start
        await asyncio.sleep(0.05)
    assert len(stamps) == 30
    assert elapsed >= 29 / 20 * 0.95
    stamps.sort()
    busiest = max(sum(1 for s in stamps if t <= s < t + 1.0) for t in stamps)
    assert busiest <= 21


@pytest.mark.asyncio
async def test_per_host_and_global_concurrency() -> None:
    live = {"now": 0, "max": 0}

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        live["now"] += 1
        live["max"] = max(live["max"], live["now"])
        await asyncio.sleep(0.1)
        live["now"] -= 1
        writer.write(b"ok")
        await writer.drain()

    async with tcp_server(hold, host="127.0.0.2") as port:
        conn = Connector(Limits(per_host=2, rate=1000), scope=Scope(addresses=("127.0.0.2",)))
        results = await asyncio.gather(
            *(conn.exchange_tcp("127.0.0.2", port, listen(), done=lambda d: d == b"ok") for _ in range(6))
        )
    assert live["max"] == 2
    assert all(r.attempt.status is ProbeStatus.OK for r in results)
    assert conn.gate.busy_hosts == 0  # per-host state is released


@pytest.mark.asyncio
async def test_global_concurrency_across_hosts() -> None:
    live = {"now": 0, "max": 0}

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        live["now"] += 1
        live["max"] = max(live["max"], live["now"])
        await asyncio.sleep(0.1)
        live["now"] -= 1

    async with tcp_server(hold, host="0.0.0.0") as port:
        hosts = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")
        conn = Connector(Limits(concurrency=3, per_host=4, rate=1000), scope=Scope(addresses=hosts))
        jobs = [conn.exchange_tcp(h, port, listen(), done=lambda d: False) for h in hosts for _ in range(2)]
        await asyncio.gather(*jobs)
    assert live["max"] == 3


def _certificate(tmp_path: Path) -> tuple[Path, Path, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "www.hikvision.com")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(12345)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "c.pem", tmp_path / "k.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path, cert.public_bytes(serialization.Encoding.DER)


@pytest.mark.asyncio
async def test_tls_without_verification_captures_the_certificate(tmp_path: Path) -> None:
    cert_path, key_path, der = _certificate(tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_path, key_path)

    async def hello(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(5)

    async with tcp_server(hello, ssl=ctx) as port:
        conn = connector()
        req = ReadOnlyRequest.http_get(LOCAL, "/")
        ex = await conn.exchange_tcp(LOCAL, port, req, done=ends_with_blank_line, tls=True)
        handshake = ReadOnlyRequest.tls_handshake()
        start = time.monotonic()
        bare = await conn.exchange_tcp(LOCAL, port, handshake, done=lambda d: False, tls=True)
        assert time.monotonic() - start < 1  # a bare handshake reads nothing
    assert ex.attempt.status is ProbeStatus.OK and ex.data.startswith(b"HTTP/1.1 200")
    assert ex.peer_cert_der == der
    assert bare.attempt.status is ProbeStatus.OK and bare.peer_cert_der == der and bare.data == b""


@pytest.mark.asyncio
async def test_tls_to_a_plain_server_is_data() -> None:
    async def plain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        await writer.drain()

    async with tcp_server(plain) as port:
        ex = await connector().exchange_tcp(LOCAL, port, ReadOnlyRequest.tls_handshake(), done=bool, tls=True)
    assert ex.attempt.status in (ProbeStatus.MALFORMED, ProbeStatus.RESET)
    assert ex.peer_cert_der is None


class Responder(asyncio.DatagramProtocol):
    def __init__(self, replies: list[bytes], reply_from: socket.socket | None = None) -> None:
        self.replies, self.reply_from = replies, reply_from
        self.received: list[bytes] = []
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.received.append(data)
        for reply in self.replies:
            if self.reply_from is not None:
                self.reply_from.sendto(reply, addr)
            elif self.transport is not None:
                self.transport.sendto(reply, addr)


@asynccontextmanager
async def udp_server(responder: Responder, host: str = LOCAL) -> AsyncIterator[int]:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: responder, local_addr=(host, 0))
    try:
        yield transport.get_extra_info("sockname")[1]
    finally:
        transport.close()


@pytest.mark.asyncio
async def test_udp_unicast_exchange() -> None:
    responder = Responder([b"reply-1"])
    async with udp_server(responder) as port:
        req = ReadOnlyRequest.dhip_search()
        ex = await connector().exchange_udp(LOCAL, port, req, wait=1.0, probe="dhip")
    assert responder.received == [req.payload]
    assert ex.data == b"reply-1" and ex.datagrams == (b"reply-1",)
    assert ex.attempt.status is ProbeStatus.OK and ex.attempt.transport is Transport.UDP
    assert ex.attempt.duration_ms < 900  # returns at the first reply, not after `wait`


@pytest.mark.asyncio
async def test_udp_silence_is_a_timeout() -> None:
    responder = Responder([])
    async with udp_server(responder) as port:
        ex = await connector().exchange_udp(LOCAL, port, ReadOnlyRequest.dhip_search(), wait=0.2)
    assert ex.attempt.status is ProbeStatus.TIMEOUT and ex.data == b""


@pytest.mark.asyncio
async def test_udp_reply_from_another_address_is_ignored() -> None:
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other.bind(("127.0.0.3", 0))
    try:
        async with udp_server(Responder([b"spoofed"], reply_from=other)) as port:
            ex = await connector().exchange_udp(LOCAL, port, ReadOnlyRequest.dhip_search(), wait=0.3)
    finally:
        other.close()
    assert ex.attempt.status is ProbeStatus.TIMEOUT and ex.datagrams == ()


@pytest.mark.asyncio
async def test_udp_flood_is_too_large() -> None:
    responder = Responder([b"B" * 30_000] * 4)
    async with udp_server(responder) as port:
        ex = await connector().exchange_udp(
            LOCAL, port, ReadOnlyRequest.dhip_search(), wait=1.0, max_datagrams=10
        )
    assert ex.attempt.status is ProbeStatus.TOO_LARGE
    assert sum(map(len, ex.datagrams)) <= 64 * 1024


@pytest.mark.asyncio
async def test_port_map_translates_but_attempt_keeps_the_probe_port() -> None:
    async def hi(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"hi")
        await writer.drain()

    async with tcp_server(hi) as port:
        conn = Connector(Limits(), scope=Scope(addresses=(LOCAL,)), port_map={(80, Transport.TCP): port})
        ex = await conn.exchange_tcp(LOCAL, 80, listen(), done=lambda d: d == b"hi")
    assert ex.data == b"hi" and ex.attempt.port == 80


@pytest.mark.asyncio
async def test_wrong_transport_or_type_is_a_programming_error() -> None:
    conn = connector()
    with pytest.raises(ValueError, match="not a UDP request"):
        await conn.exchange_udp(LOCAL, 1, listen())
    with pytest.raises(ValueError, match="not a TCP request"):
        await conn.exchange_tcp(LOCAL, 1, ReadOnlyRequest.dhip_search(), done=bool)
    with pytest.raises(TypeError, match="ReadOnlyRequest"):
        await conn.exchange_tcp(LOCAL, 1, b"PUT / HTTP/1.1\r\n\r\n", done=bool)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_a_port_that_never_answers_is_asked_once_and_the_rest_skipped() -> None:
    accepted = 0

    async def tarpit(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        await asyncio.sleep(30)

    conn = connector(read_timeout=0.3, per_host=4)
    request = ReadOnlyRequest.http_get(LOCAL, "/")
    async with tcp_server(tarpit) as port:
        start = time.monotonic()
        results = await asyncio.gather(
            *(conn.exchange_tcp(LOCAL, port, request, done=ends_with_blank_line) for _ in range(6))
        )
        elapsed = time.monotonic() - start
    statuses = sorted(r.attempt.status for r in results)
    assert statuses.count(ProbeStatus.TIMEOUT) == 1 and statuses.count(ProbeStatus.SKIPPED) == 5
    assert accepted == 1
    assert elapsed < 0.9  # one timeout, not six queued behind each other


@pytest.mark.asyncio
async def test_after_the_first_answer_requests_to_a_port_run_in_parallel() -> None:
    async def slow_echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(0.2)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    conn = connector(read_timeout=2.0, per_host=4)
    request = ReadOnlyRequest.http_get(LOCAL, "/")
    async with tcp_server(slow_echo) as port:
        start = time.monotonic()
        results = await asyncio.gather(
            *(conn.exchange_tcp(LOCAL, port, request, done=ends_with_blank_line) for _ in range(5))
        )
        elapsed = time.monotonic() - start
    assert all(r.attempt.status is ProbeStatus.OK for r in results)
    assert 0.35 < elapsed < 0.9  # first alone (0.2 s), then the other four together (0.2 s)


@pytest.mark.asyncio
async def test_sweep_asks_every_in_scope_address_once_and_keeps_only_their_replies() -> None:
    received: list[tuple[bytes, str]] = []

    class Device(asyncio.DatagramProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport

        def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
            received.append((data, str(addr[0])))
            self.transport.sendto(b"reply", addr)  # type: ignore[attr-defined]

    loop = asyncio.get_running_loop()
    device, _ = await loop.create_datagram_endpoint(Device, local_addr=(LOCAL, 0))
    port = device.get_extra_info("sockname")[1]
    conn = Connector(Limits(udp_wait=0.3), scope=Scope(addresses=(LOCAL,)))
    try:
        swept = await conn.sweep_udp(
            [LOCAL, "127.0.0.2", "127.0.0.3"], port, ReadOnlyRequest.sadp_inquiry(), probe="sadp"
        )
    finally:
        device.close()
    assert len(received) == 1  # 127.0.0.2 and .3 are outside the scope: nothing was sent to them
    assert list(swept) == [LOCAL]
    assert swept[LOCAL].datagrams == (b"reply",) and swept[LOCAL].attempt.status is ProbeStatus.OK


@pytest.mark.asyncio
async def test_a_port_that_went_away_is_reported_to_the_adaptive_rate() -> None:
    async def quiet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0)

    conn = connector(rate=1000)
    async with tcp_server(quiet) as port:
        assert (await conn.connect_tcp(LOCAL, port)).status is ProbeStatus.OK
    assert (await conn.connect_tcp(LOCAL, port)).status is ProbeStatus.REFUSED  # the server is gone
    assert conn.gate.rate.distress == 1
    assert (await conn.connect_tcp(LOCAL, port + 1 if port < 65535 else port - 1)).status in (
        ProbeStatus.REFUSED,
        ProbeStatus.OK,
    )
    assert conn.gate.rate.distress == 1  # a port never seen open refusing is a closed port, not distress
