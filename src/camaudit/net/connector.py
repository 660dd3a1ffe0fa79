"""The `Connector`: the one way probes and verifications reach a device (STYLE.md R3).

Probes plan small jobs of at most one connection each; the Connector carries them out through the `Gate`
(scope, concurrency, rate), with the timeouts and byte caps of `Limits`, and records each as a
`ProbeAttempt` ("errors as data"). It only sends `ReadOnlyRequest` payloads. Two courtesies to fragile
devices live here too: the first request to a port goes alone, and a port that accepted a request and
never answered is not asked again in the same run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from camaudit.model import ProbeAttempt, ProbeStatus, Transport
from camaudit.net import tcp, udp
from camaudit.net.limits import Gate, Limits
from camaudit.net.outcome import Outcome, attempt
from camaudit.net.rate import Signal
from camaudit.net.readonly import ReadOnlyRequest, RequestKind
from camaudit.net.tcp import Done
from camaudit.scope import Scope


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
        self.gate = Gate(limits, scope)
        self._port_map = dict(port_map or {})
        # Ports that accepted a request and never answered: further requests there are skipped, not
        # queued behind the same timeout (kinder to fragile devices, and a tarpit cannot stall a scan).
        self._silent: set[tuple[str, int]] = set()
        # The first request to a port goes alone; the others wait until it has answered (or not).
        self._first: dict[tuple[str, int], asyncio.Event] = {}
        self._tls = tcp.tls_context()
        self._in_scope: set[str] = set()

    @property
    def opened(self) -> int:
        """Connections and datagrams actually started (for tests and benchmarks)."""
        return self.gate.opened

    def _port(self, port: int, transport: Transport) -> int:
        return self._port_map.get((port, transport), port)

    def _skipped(self, probe: str, ip: str, port: int, transport: Transport, reason: str) -> Exchange:
        out = Outcome(status=ProbeStatus.SKIPPED, reason=reason)
        return Exchange(b"", attempt(probe, ip, port, transport, out, time.monotonic()))

    def _out_of_scope(self, probe: str, ip: str, port: int, transport: Transport) -> Exchange | None:
        if ip in self._in_scope:
            return None
        if self.scope.contains(ip):
            self._in_scope.add(ip)  # the scope never changes: parse each address once, not per probe
            return None
        return self._skipped(probe, ip, port, transport, "address is not in scope")

    async def connect_tcp(self, ip: str, port: int, *, probe: str = "tcp") -> ProbeAttempt:
        """Open and immediately close one TCP connection (the reachability sweep)."""
        skipped = self._out_of_scope(probe, ip, port, Transport.TCP)
        if skipped is not None:
            return skipped.attempt
        async with self.gate.slot(ip):
            start = time.monotonic()
            out = await tcp.session(ip, self._port(port, Transport.TCP), None, _never, None, self.limits)
            self._note(ip, port, out)
            return attempt(probe, ip, port, Transport.TCP, out, start)

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
        # A bare handshake sends nothing: the certificate is all it is for.
        payload = None if request.kind is RequestKind.TLS_HANDSHAKE else request.payload
        async with self.gate.slot(ip):
            if (ip, port) in self._silent:
                return self._skipped(
                    probe, ip, port, Transport.TCP, "an earlier request on this port got no answer"
                )
            start = time.monotonic()
            actual = self._port(port, Transport.TCP)
            out = await tcp.session(ip, actual, payload, done, self._tls if tls else None, self.limits)
            if out.silent:
                self._silent.add((ip, port))
            self._note(ip, port, out)
            return Exchange(out.data, attempt(probe, ip, port, Transport.TCP, out, start), out.cert)

    def _note(self, ip: str, port: int, out: Outcome) -> None:
        """Tell the gate how the exchange went (the adaptive rate reads hosts' distress from it)."""
        self.gate.note(Signal(ip, port, out.status, out.connected, bool(out.data)))

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
        seconds = wait if wait is not None else self.limits.udp_wait
        async with self.gate.slot(ip):
            start = time.monotonic()
            datagrams, out = await udp.unicast(
                ip,
                self._port(port, Transport.UDP),
                request.payload,
                cap=self.limits.read_cap,
                wait=seconds,
                max_datagrams=max_datagrams,
            )
            return Exchange(out.data, attempt(probe, ip, port, Transport.UDP, out, start), None, datagrams)

    async def sweep_udp(
        self,
        ips: Sequence[str],
        port: int,
        request: ReadOnlyRequest,
        *,
        probe: str,
        wait: float | None = None,
        on_sent: Callable[[], None] | None = None,
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
        start = time.monotonic()
        actual = self._port(port, Transport.UDP)
        collector = await udp.sweep(
            self.gate,
            targets,
            actual,
            request.payload,
            cap=self.limits.read_cap,
            wait=seconds,
            on_sent=on_sent,
        )
        found = {}
        for ip in collector.answered():
            datagrams, out = udp.swept(collector, ip)
            found[ip] = Exchange(
                out.data, attempt(probe, ip, port, Transport.UDP, out, start), None, datagrams
            )
        return found


def _never(_data: bytes) -> bool:
    return False


def _check_request(request: ReadOnlyRequest, *, udp: bool) -> None:
    if not isinstance(request, ReadOnlyRequest):
        raise TypeError("the Connector only sends ReadOnlyRequest")
    if request.is_udp != udp:
        raise ValueError(f"{request.kind} is not a {'UDP' if udp else 'TCP'} request")
