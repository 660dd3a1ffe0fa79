"""`Lab`: start every selected profile on its own loopback address and stop it cleanly.

Device n (in sorted profile order) gets host n+1 of the network (127.42.0.0/24 by default: the
first device, n = 0, is 127.42.0.1). Real ports are bound (root, or a user namespace that may bind low
ports); `port_offset` shifts every port for an unprivileged fallback and the manifest then maps
real -> actual ports. Each device's servers record every request in one `RequestLog`.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from camaudit.errors import LabError
from camaudit.lab.profile import Profile, load_profiles
from camaudit.lab.requestlog import RequestLog, RequestRecord
from camaudit.lab.servers import server_for
from camaudit.lab.servers.base import IDLE_TIMEOUT, DeviceContext, Running

DEFAULT_NETWORK = "127.42.0.0/24"


class Lab:
    """The emulated camera lab as an async context manager.

    Args:
        profiles: profile ids (None = every profile), or already loaded profiles.
        network: where devices get their addresses (device n at host n+1).
        addresses: explicit profile id -> address (overrides `network`; `lab serve --only`).
        port_offset: added to every port (unprivileged fallback).
        request_log: also write the request log to this JSON-lines file.
        multicast: also join each discovery protocol's multicast group (namespace lab).
    """

    def __init__(
        self,
        profiles: Iterable[str] | Sequence[Profile] | None = None,
        *,
        network: str = DEFAULT_NETWORK,
        addresses: dict[str, str] | None = None,
        port_offset: int = 0,
        request_log: Path | None = None,
        multicast: bool = False,
        idle_timeout: float = IDLE_TIMEOUT,
    ) -> None:
        self.profiles = _resolve(profiles)
        self.network = ipaddress.ip_network(network)
        self.addresses = _assign(self.profiles, self.network, addresses or {})
        self.port_offset = port_offset
        self.log = RequestLog(request_log)
        self._multicast, self._idle = multicast, idle_timeout
        self._running: list[Running] = []

    @property
    def requests(self) -> tuple[RequestRecord, ...]:
        return self.log.records

    async def start(self) -> None:
        try:
            for profile in self.profiles:
                await self._start_device(profile)
        except BaseException:
            await self.stop()
            raise

    async def _start_device(self, profile: Profile) -> None:
        address = self.addresses[profile.id]
        ctx = DeviceContext(profile, address, self.log, self.port_offset, self._multicast, self._idle)
        for service in profile.services:
            try:
                self._running.append(await server_for(service.protocol).start(ctx, service))
            except OSError as exc:
                reason = "address in use" if exc.errno == errno.EADDRINUSE else exc.strerror
                where = f"{address}:{ctx.port(service)}/{service.transport}"
                raise LabError(f"{profile.id}: cannot bind {where}: {reason}") from exc

    async def stop(self) -> None:
        running, self._running = self._running, []
        for server in reversed(running):
            await server.stop()
        self.log.close()

    async def __aenter__(self) -> Lab:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def manifest(self) -> list[dict[str, Any]]:
        """JSON-ready: profile, address, mac, ports {"80/tcp": actual port}, expected."""
        return [
            {
                "profile": p.id,
                "address": self.addresses[p.id],
                "mac": p.mac,
                "ports": {s.key: s.port + self.port_offset for s in p.services},
                "expected": p.expected.to_dict(),
            }
            for p in self.profiles
        ]

    def write_manifest(self, path: Path) -> None:
        """Write atomically (a reader polling for the file never sees half of it)."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.manifest(), indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)


def _resolve(profiles: Iterable[str] | Sequence[Profile] | None) -> tuple[Profile, ...]:
    if profiles is None:
        return load_profiles()
    items = list(profiles)
    if all(isinstance(p, Profile) for p in items):
        return tuple(sorted((p for p in items if isinstance(p, Profile)), key=lambda p: p.id))
    return load_profiles([str(p) for p in items])


def _assign(
    profiles: Sequence[Profile], network: ipaddress.IPv4Network | ipaddress.IPv6Network, given: dict[str, str]
) -> dict[str, str]:
    if len(profiles) > network.num_addresses - 2:
        raise LabError(f"{len(profiles)} devices do not fit in {network}")
    return {p.id: given.get(p.id) or str(network.network_address + n + 1) for n, p in enumerate(profiles)}
