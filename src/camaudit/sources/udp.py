"""Collectors for UDP replies: one address answering one question, or many answering one sweep.

Both are bounded in datagrams and bytes per address: a hostile host cannot grow memory.
"""

from __future__ import annotations

import asyncio

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
