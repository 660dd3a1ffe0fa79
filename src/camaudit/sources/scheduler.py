"""The scheduler: `Limits` and the `Connector`, the only code in camaudit that opens probe sockets.

STYLE.md R3 (after sslyze's Scanner, which owns per-server and global limits): probes plan small jobs of at
most one connection; the Connector enforces, for every one of them,

- scope: an address outside the `Scope` is never contacted (the attempt is recorded as ``skipped``);
- a global and a per-host concurrency limit (per-host keeps a fragile DVR from being flooded);
- a token-bucket rate on new connections and datagrams;
- connect and read timeouts (the read timeout bounds the whole reply, so a slowloris device that sends a
  byte a second is cut off too) and a byte cap on what is read;
- "errors as data": every failure becomes a `ProbeAttempt` (timeout, refused, reset, too_large,
  malformed, unreachable, error); an exception from a device never escapes.

It only sends `ReadOnlyRequest` payloads. TLS is not verified (cameras use self-signed certificates) and
the peer certificate DER is captured for `tls.certificate` observations.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from camaudit.errors import ProtocolError
from camaudit.model import ProbeAttempt, ProbeStatus, Transport
from camaudit.scope import Scope
from camaudit.sources.readonly import ReadOnlyRequest, RequestKind
from camaudit.sources.udp import Collector as _Collector
from camaudit.sources.udp import SweepCollector

Done = Callable[[bytes], bool]
_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.EADDRNOTAVAIL}


@dataclass(frozen=True, slots=True)
class Limits:
    """How hard camaudit may push the network.

    Attributes:
        rate: new connections plus datagrams per second, overall.
        burst: how many of those may start back to back before the rate applies.
        concurrency: connections/exchanges in flight, overall.
        per_host: connections/exchanges in flight to one address.
        connect_timeout: seconds to establish TCP (and finish a TLS handshake).
        read_timeout: seconds for the whole reply, from the moment the request is sent.
        read_cap: bytes read per exchange at most; more is ``too_large``.
        udp_wait: seconds to wait for a unicast UDP discovery reply.
    """

    rate: float = 200.0
    burst: int = 10
    concurrency: int = 256
    per_host: int = 4
    connect_timeout: float = 3.0
    read_timeout: float = 3.0
    read_cap: int = 64 * 1024
    udp_wait: float = 1.5

    def __post_init__(self) -> None:
        for name in ("rate", "connect_timeout", "read_timeout", "udp_wait"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be positive")
        for name in ("burst", "concurrency", "per_host", "read_cap"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be at least 1")


@dataclass(frozen=True, slots=True)
class Exchange:
    """What one exchange produced.

    Attributes:
        data: the bytes read (up to the cap; possibly partial when the attempt failed).
        attempt: how it went.
        peer_cert_der: the server certificate (TLS only).
        datagrams: every datagram received (UDP only; `data` is the first).
    """

    data: bytes
    attempt: ProbeAttempt
    peer_cert_der: bytes | None = None
    datagrams: tuple[bytes, ...] = field(default=())


class TokenBucket:
    """Classic token bucket: `rate` tokens per second, at most `burst` saved up. Waiters queue FIFO."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._last = clock()
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
                self._last = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                await asyncio.sleep((1.0 - self._tokens) / self._rate)


def classify(exc: BaseException, *, phase: str, seconds: float) -> tuple[ProbeStatus, str]:
    """Map an exception from a socket operation to a ProbeAttempt status and a short reason."""
    if isinstance(exc, TimeoutError):
        return ProbeStatus.TIMEOUT, f"{phase} timed out after {seconds:g}s"
    if isinstance(exc, ConnectionRefusedError):
        return ProbeStatus.REFUSED, "connection refused"
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return ProbeStatus.RESET, f"connection reset during {phase}"
    if isinstance(exc, asyncio.IncompleteReadError):
        return ProbeStatus.RESET, f"connection closed during {phase}"
    if isinstance(exc, ssl.SSLError):
        return ProbeStatus.MALFORMED, f"TLS handshake failed: {exc.reason or exc}"[:200]
    if isinstance(exc, OSError) and exc.errno in _UNREACHABLE:
        return ProbeStatus.UNREACHABLE, exc.strerror or "unreachable"
    return ProbeStatus.ERROR, f"{type(exc).__name__}: {exc}"[:200]


def _tls_context() -> ssl.SSLContext:
    # Cameras present self-signed certificates and often old TLS: we only read the certificate, so no
    # verification and the widest protocol range the local OpenSSL allows.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with contextlib.suppress(ValueError, ssl.SSLError):
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    return ctx


@dataclass(slots=True)
class _Outcome:
    data: bytes = b""
    status: ProbeStatus = ProbeStatus.OK
    reason: str | None = None
    cert: bytes | None = None
    connected: bool = False

    @property
    def silent(self) -> bool:
        """Accepted the connection, then said nothing until the read timeout (a tarpit or a hung service)."""
        return self.connected and not self.data and self.status is ProbeStatus.TIMEOUT


class Connector:
    """Opens every probe connection, within scope and limits; failures come back as data.

    `port_map` translates a probe's port (e.g. 80) to the port actually used, for the unprivileged lab
    that runs on shifted ports; attempts keep the probe's port.
    """

    def __init__(
        self,
        limits: Limits,
        *,
        scope: Scope,
        port_map: Mapping[tuple[int, Transport], int] | None = None,
    ) -> None:
        self.limits = limits
        self.scope = scope
        self.opened = 0  # connections and datagrams actually started (for tests and benchmarks)
        self._port_map = dict(port_map or {})
        # Ports that accepted a request and never answered: further requests there are skipped, not
        # queued behind the same timeout (kinder to fragile devices, and a tarpit cannot stall a scan).
        self._silent: set[tuple[str, int]] = set()
        # The first request to a port goes alone; the others wait until it has answered (or not).
        self._first: dict[tuple[str, int], asyncio.Event] = {}
        self._global = asyncio.Semaphore(limits.concurrency)
        self._hosts: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}
        self._bucket = TokenBucket(limits.rate, limits.burst)
        self._tls = _tls_context()

    @contextlib.asynccontextmanager
    async def _slot(self, ip: str) -> AsyncIterator[None]:
        sem, users = self._hosts.setdefault(ip, (asyncio.Semaphore(self.limits.per_host), [0]))
        users[0] += 1
        try:
            async with sem, self._global:
                await self._bucket.take()
                self.opened += 1
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._hosts.pop(ip, None)

    def _attempt(
        self, probe: str, ip: str, port: int, transport: Transport, out: _Outcome, start: float
    ) -> ProbeAttempt:
        return ProbeAttempt(
            probe=probe,
            ip=ip,
            port=port,
            transport=transport,
            status=out.status,
            error_reason=out.reason,
            bytes_read=len(out.data),
            duration_ms=round((time.monotonic() - start) * 1000, 3),
        )

    def _out_of_scope(self, probe: str, ip: str, port: int, transport: Transport) -> Exchange | None:
        if self.scope.contains(ip):
            return None
        out = _Outcome(status=ProbeStatus.SKIPPED, reason="address is not in scope")
        return Exchange(b"", self._attempt(probe, ip, port, transport, out, time.monotonic()))

    async def connect_tcp(self, ip: str, port: int, *, probe: str = "tcp") -> ProbeAttempt:
        """Open and immediately close one TCP connection (the reachability sweep)."""
        skipped = self._out_of_scope(probe, ip, port, Transport.TCP)
        if skipped is not None:
            return skipped.attempt
        async with self._slot(ip):
            start = time.monotonic()
            out = _Outcome()
            try:
                _, writer = await self._open(ip, port, tls=False)
                writer.transport.abort()
            except Exception as exc:
                out.status, out.reason = classify(exc, phase="connect", seconds=self.limits.connect_timeout)
            return self._attempt(probe, ip, port, Transport.TCP, out, start)

    async def exchange_tcp(
        self,
        ip: str,
        port: int,
        request: ReadOnlyRequest,
        *,
        done: Done,
        tls: bool = False,
        probe: str = "tcp",
    ) -> Exchange:
        """Connect, send one read-only request, read until `done(data)`, EOF, the cap or the timeout."""
        _check_request(request, udp=False)
        skipped = self._out_of_scope(probe, ip, port, Transport.TCP)
        if skipped is not None:
            return skipped
        gate = self._first.get((ip, port))
        if gate is None:
            gate = self._first[(ip, port)] = asyncio.Event()
        else:
            await gate.wait()
        try:
            return await self._exchange_tcp(ip, port, request, done, tls, probe)
        finally:
            gate.set()

    async def _exchange_tcp(
        self, ip: str, port: int, request: ReadOnlyRequest, done: Done, tls: bool, probe: str
    ) -> Exchange:
        async with self._slot(ip):
            start = time.monotonic()
            if (ip, port) in self._silent:
                out = _Outcome(
                    status=ProbeStatus.SKIPPED, reason="an earlier request on this port got no answer"
                )
            else:
                out = await self._tcp_session(ip, port, request, done, tls)
            if out.silent:
                self._silent.add((ip, port))
            attempt = self._attempt(probe, ip, port, Transport.TCP, out, start)
            return Exchange(out.data, attempt, out.cert)

    async def _open(
        self, ip: str, port: int, *, tls: bool
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        actual = self._port_map.get((port, Transport.TCP), port)
        ctx = self._tls if tls else None
        # server_hostname="" sends no SNI: we connect to addresses, not names.
        opening = asyncio.open_connection(ip, actual, ssl=ctx, server_hostname="" if tls else None)
        return await asyncio.wait_for(opening, self.limits.connect_timeout)

    async def _tcp_session(
        self, ip: str, port: int, request: ReadOnlyRequest, done: Done, tls: bool
    ) -> _Outcome:
        try:
            reader, writer = await self._open(ip, port, tls=tls)
        except Exception as exc:
            status, reason = classify(exc, phase="connect", seconds=self.limits.connect_timeout)
            return _Outcome(status=status, reason=reason)
        out = _Outcome(cert=_peer_cert(writer) if tls else None, connected=True)
        if request.kind is RequestKind.TLS_HANDSHAKE:
            writer.transport.abort()  # the certificate was all we wanted
            return out
        try:
            await self._send_and_read(reader, writer, request.payload, done, out)
        except Exception as exc:
            out.status, out.reason = classify(exc, phase="read", seconds=self.limits.read_timeout)
        finally:
            writer.transport.abort()
        return out

    async def _send_and_read(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        payload: bytes,
        done: Done,
        out: _Outcome,
    ) -> None:
        buf = bytearray()
        cap = self.limits.read_cap
        try:
            async with asyncio.timeout(self.limits.read_timeout):
                if payload:
                    writer.write(payload)
                    await writer.drain()
                while not _is_done(done, bytes(buf), out):
                    chunk = await reader.read(min(65536, cap + 1 - len(buf)))
                    if not chunk:
                        break
                    buf += chunk
                    if len(buf) > cap:
                        out.status, out.reason = ProbeStatus.TOO_LARGE, f"more than {cap} bytes"
                        del buf[cap:]
                        break
        except TimeoutError:
            out.status = ProbeStatus.TIMEOUT
            out.reason = f"no complete reply within {self.limits.read_timeout:g}s"
        finally:
            out.data = bytes(buf)

    async def exchange_udp(
        self,
        ip: str,
        port: int,
        request: ReadOnlyRequest,
        *,
        wait: float | None = None,
        probe: str = "udp",
        max_datagrams: int = 1,
    ) -> Exchange:
        """Send one read-only datagram to `ip` and collect its replies for up to `wait` seconds.

        Only datagrams whose source address is `ip` count (any source port: some devices answer from
        another port). Returns at the first reply unless `max_datagrams` asks for more.
        """
        _check_request(request, udp=True)
        skipped = self._out_of_scope(probe, ip, port, Transport.UDP)
        if skipped is not None:
            return skipped
        async with self._slot(ip):
            start = time.monotonic()
            datagrams, out = await self._udp_session(ip, port, request, wait, max_datagrams)
            attempt = self._attempt(probe, ip, port, Transport.UDP, out, start)
            return Exchange(out.data, attempt, None, datagrams)

    async def sweep_udp(
        self,
        ips: Sequence[str],
        port: int,
        request: ReadOnlyRequest,
        *,
        probe: str,
        wait: float | None = None,
    ) -> dict[str, Exchange]:
        """Send one read-only datagram to each in-scope address from one socket, then listen once.

        Silence is the usual answer to a discovery inquiry, so a shared reply window costs one wait for a
        whole block instead of one per host. Each datagram still takes a token from the rate limiter.
        Returns exchanges only for addresses that answered (or answered too much).
        """
        _check_request(request, udp=True)
        targets = [ip for ip in ips if self.scope.contains(ip) and ":" not in ip]
        if not targets:
            return {}
        seconds = wait if wait is not None else self.limits.udp_wait
        collector = SweepCollector(set(targets), self.limits.read_cap)
        start = time.monotonic()
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: collector,
            family=socket.AF_INET,
            local_addr=("0.0.0.0", 0),  # noqa: S104 - source port
        )
        try:
            await self._send_all(transport, targets, self._port_map.get((port, Transport.UDP), port), request)
            await asyncio.sleep(seconds)
        finally:
            transport.close()
        return {ip: self._swept(probe, ip, port, collector, start) for ip in collector.answered()}

    async def _send_all(
        self, transport: asyncio.DatagramTransport, ips: Sequence[str], port: int, request: ReadOnlyRequest
    ) -> None:
        for ip in ips:
            async with self._global:
                await self._bucket.take()
                self.opened += 1
                transport.sendto(request.payload, (ip, port))

    def _swept(self, probe: str, ip: str, port: int, collector: SweepCollector, start: float) -> Exchange:
        datagrams = tuple(collector.replies.get(ip, ()))
        out = _Outcome(data=datagrams[0] if datagrams else b"")
        if ip in collector.too_large:
            out.status, out.reason = ProbeStatus.TOO_LARGE, f"replies larger than {collector.cap} bytes"
        return Exchange(out.data, self._attempt(probe, ip, port, Transport.UDP, out, start), None, datagrams)

    async def _udp_session(
        self, ip: str, port: int, request: ReadOnlyRequest, wait: float | None, max_datagrams: int
    ) -> tuple[tuple[bytes, ...], _Outcome]:
        seconds = wait if wait is not None else self.limits.udp_wait
        actual = self._port_map.get((port, Transport.UDP), port)
        v6 = ":" in ip
        collector = _Collector(ip, self.limits.read_cap, max_datagrams)
        out = _Outcome()
        try:
            transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
                lambda: collector,
                family=socket.AF_INET6 if v6 else socket.AF_INET,
                local_addr=("::" if v6 else "0.0.0.0", 0),  # noqa: S104 - ephemeral source port
            )
        except Exception as exc:
            out.status, out.reason = classify(exc, phase="send", seconds=seconds)
            return (), out
        try:
            transport.sendto(request.payload, (ip, actual))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(collector.finished.wait(), seconds)
        finally:
            transport.close()
        return udp_result(collector, out, seconds)


def udp_result(collector: _Collector, out: _Outcome, seconds: float) -> tuple[tuple[bytes, ...], _Outcome]:
    datagrams = tuple(collector.datagrams)
    out.data = datagrams[0] if datagrams else b""
    if collector.too_large:
        out.status, out.reason = ProbeStatus.TOO_LARGE, f"replies larger than {collector.cap} bytes"
    elif not datagrams:
        out.status, out.reason = ProbeStatus.TIMEOUT, f"no reply within {seconds:g}s"
    return datagrams, out


def _is_done(done: Done, data: bytes, out: _Outcome) -> bool:
    """Ask the probe whether the reply is complete; a codec that rejects the bytes ends the read."""
    try:
        return done(data)
    except ProtocolError as exc:
        out.status, out.reason = ProbeStatus.MALFORMED, str(exc)[:200]
        return True


def _peer_cert(writer: asyncio.StreamWriter) -> bytes | None:
    ssl_object = writer.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    return bytes(der) if der else None


def _check_request(request: ReadOnlyRequest, *, udp: bool) -> None:
    if not isinstance(request, ReadOnlyRequest):
        raise TypeError("the Connector only sends ReadOnlyRequest")
    if request.is_udp != udp:
        raise ValueError(f"{request.kind} is not a {'UDP' if udp else 'TCP'} request")
