"""Dahua DVRIP: legacy discovery on UDP 5050 (devices.md §2.2) and the TCP 37777 private port
(§2.3), where the lab answers only the 32-byte realm request with `Realm:Login to <serial>`.
Anything else on 37777 (3DES/JSON logins, the CVE-2013-6117 commands …) is logged as
state-changing and the connection closed."""

from __future__ import annotations

import asyncio

from camaudit.errors import MessageTooLarge
from camaudit.lab.profile import Service
from camaudit.lab.servers.base import (
    DeviceContext,
    Handler,
    Running,
    ServerKind,
    TcpServer,
    UdpServer,
    read_message,
    send,
)
from camaudit.lab.spec_discovery import DvripLegacySpec, DvripSpec
from camaudit.protocols import dvrip


def _legacy(ctx: DeviceContext, service: Service, spec: DvripLegacySpec) -> UdpServer:
    def respond(data: bytes, peer: str) -> bytes | None:
        search = dvrip.is_legacy_search(data)
        ctx.record(
            service,
            "search" if search else "unknown",
            body_size=len(data),
            peer=peer,
            state_changing=not search,
        )
        if not search:
            return None
        return dvrip.build_legacy_reply(
            device_type=spec.device_type,
            mac=ctx.fill(spec.mac),
            ipv4=ctx.fill(spec.ipv4),
            version=spec.version,
            serial=spec.serial,
            web_port=spec.web_port,
            tcp_port=spec.tcp_port,
        )

    return UdpServer(respond)


def _handler(ctx: DeviceContext, service: Service, spec: DvripSpec) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str) -> None:
        try:
            data = await read_message(
                reader, lambda d: len(d) >= dvrip.HEADER_SIZE, cap=dvrip.MAX_SIZE, timeout=ctx.idle_timeout
            )
        except MessageTooLarge:
            data = b"?"
        if not data:
            return
        realm = dvrip.is_realm_request(data)
        ctx.record(
            service, "realm" if realm else "unknown", body_size=len(data), peer=peer, state_changing=not realm
        )
        if realm:
            await send(writer, dvrip.build_realm_reply(spec.serial, spec.random))

    return handle


async def start_legacy(ctx: DeviceContext, service: Service) -> Running:
    assert isinstance(service.spec, DvripLegacySpec)
    return await _legacy(ctx, service, service.spec).start(ctx.address, ctx.port(service))


async def start_tcp(ctx: DeviceContext, service: Service) -> Running:
    assert isinstance(service.spec, DvripSpec)
    return await TcpServer(_handler(ctx, service, service.spec)).start(ctx.address, ctx.port(service))


LEGACY_SERVER = ServerKind(("dvrip-legacy",), start_legacy)
SERVER = ServerKind(("dvrip",), start_tcp)
