"""UDP exchanges: one address answering one question, or many answering one sweep.

Replies are bounded in datagrams and bytes per address (a hostile host cannot grow memory), and only the
addresses asked may answer (any source port: some devices answer from another port).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable, Sequence

from camaudit.model import ProbeStatus
from camaudit.net.limits import Gate
from camaudit.net.outcome import Outcome, classify

MAX_SWEEP_DATAGRAMS = 4  # per address per sweep


class Collector(asyncio.DatagramProtocol):
    """Collects unicast replies from one address, bounded in count and bytes."""

    def __init__(self, ip: str, cap: int, max_datagrams: int) -> None:
        self.ip, self.cap, self.max = ip, cap, max_datagrams
        self.datagrams: list[bytes] = []
        self.too_large = False
        self.finished = asyncio.Event()

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if str(addr[0]).split("%")[0] != self.ip or self.finished.is_set():
            return  # only the address we asked may answer a unicast question
        if sum(map(len, self.datagrams)) + len(data) > self.cap:
            self.too_large = True
            self.finished.set()
            return
        self.datagrams.append(data)
        if len(self.datagrams) >= self.max:
            self.finished.set()


class SweepCollector(asyncio.DatagramProtocol):
    """Replies from many addresses to one batch of unicast inquiries; only the addresses asked count."""

    def __init__(self, expected: set[str], cap: int, max_datagrams: int = MAX_SWEEP_DATAGRAMS) -> None:
        self.expected, self.cap, self.max = expected, cap, max_datagrams
        self.replies: dict[str, list[bytes]] = {}
        self.too_large: set[str] = set()

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        ip = str(addr[0]).split("%")[0]
        if ip not in self.expected or ip in self.too_large:
            return
        got = self.replies.setdefault(ip, [])
        if sum(map(len, got)) + len(data) > self.cap:
            self.too_large.add(ip)
        elif len(got) < self.max:
            got.append(data)

    def answered(self) -> list[str]:
        return sorted(set(self.replies) | self.too_large)


async def unicast(
    ip: str, port: int, payload: bytes, *, cap: int, wait: float, max_datagrams: int
) -> tuple[tuple[bytes, ...], Outcome]:
    """Send one datagram to `ip` from an ephemeral port; collect its replies for up to `wait` seconds."""
    v6 = ":" in ip
    collector = Collector(ip, cap, max_datagrams)
    out = Outcome()
    try:
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: collector,
            family=socket.AF_INET6 if v6 else socket.AF_INET,
            local_addr=("::" if v6 else "0.0.0.0", 0),  # noqa: S104 - ephemeral source port
        )
    except Exception as exc:
        out.fail(*classify(exc, phase="send", seconds=wait))
        return (), out
    try:
        transport.sendto(payload, (ip, port))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(collector.finished.wait(), wait)
    finally:
        transport.close()
    return _result(collector, out, wait)


def _result(collector: Collector, out: Outcome, seconds: float) -> tuple[tuple[bytes, ...], Outcome]:
    datagrams = tuple(collector.datagrams)
    out.data = datagrams[0] if datagrams else b""
    if collector.too_large:
        out.fail(ProbeStatus.TOO_LARGE, f"replies larger than {collector.cap} bytes")
    elif not datagrams:
        out.fail(ProbeStatus.TIMEOUT, f"no reply within {seconds:g}s")
    return datagrams, out


async def sweep(
    gate: Gate,
    targets: Sequence[str],
    port: int,
    payload: bytes,
    *,
    cap: int,
    wait: float,
    on_sent: Callable[[], None] | None = None,
) -> SweepCollector:
    """One datagram to each of `targets` from one socket (each paced by `gate`), then one shared wait;
    `on_sent` is called after each datagram (progress)."""
    collector = SweepCollector(set(targets), cap)
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: collector,
        family=socket.AF_INET,
        local_addr=("0.0.0.0", 0),  # noqa: S104 - source port
    )
    try:
        for ip in targets:
            async with gate.send_slot():
                transport.sendto(payload, (ip, port))
            if on_sent is not None:
                on_sent()
        await asyncio.sleep(wait)
    finally:
        transport.close()
    return collector


def swept(collector: SweepCollector, ip: str) -> tuple[tuple[bytes, ...], Outcome]:
    """What one address of a sweep sent back."""
    datagrams = tuple(collector.replies.get(ip, ()))
    out = Outcome(data=datagrams[0] if datagrams else b"")
    if ip in collector.too_large:
        out.fail(ProbeStatus.TOO_LARGE, f"replies larger than {collector.cap} bytes")
    return datagrams, out
