"""Multicast discovery on the local segment: SADP, DHIP, WS-Discovery, SSDP and mDNS sent to their groups.

Groups and ports from devices.md §1.1 (SADP 239.255.255.250:37020), §2.1 (DHIP 239.255.255.251:37810),
§3 (WS-Discovery 239.255.255.250:3702), UPnP Device Architecture 1.1 §1.3.2 (SSDP 239.255.255.250:1900)
and RFC 6762 §3 (mDNS 224.0.0.251:5353; sent from an ephemeral port, the query is a legacy one and
answers come back to us by unicast, §6.7). TTL 1 (RFC 1112 §6.1: the datagram never leaves the local
network). One socket per protocol so each reply is decoded by the right codec. The caller decides what
to do with the sender addresses: `active.observe` never probes one that is not in the scope.

This is the one place besides the `Connector` that opens sockets: it sends exactly five read-only
datagrams (`ReadOnlyRequest`), to multicast groups rather than to hosts, and only reads replies.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from camaudit.errors import ProtocolError
from camaudit.model import Observation, Transport
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import dhip as dhip_codec
from camaudit.protocols import mdns as mdns_codec
from camaudit.protocols import sadp as sadp_codec
from camaudit.protocols import upnp as upnp_codec
from camaudit.protocols import wsdiscovery as wsd_codec
from camaudit.sources.probes import dhip, mdns, sadp, ssdp, wsdiscovery
from camaudit.values import normalise_mac

MAX_REPLIES = 4096  # per protocol per run; a hostile segment cannot grow memory without bound
Decoder = Callable[[bytes], Sequence[tuple[dict[str, str], str | None]]]


@dataclass(frozen=True, slots=True)
class _Query:
    name: str
    group: str
    port: int
    kind: str
    build: Callable[[], ReadOnlyRequest]
    decode: Decoder


QUERIES = (
    _Query(
        "sadp",
        sadp_codec.MULTICAST_GROUP,
        sadp_codec.PORT,
        "sadp.reply",
        ReadOnlyRequest.sadp_inquiry,
        sadp.decode,
    ),
    _Query(
        "dhip",
        dhip_codec.MULTICAST_GROUP,
        dhip_codec.PORT,
        "dhip.reply",
        ReadOnlyRequest.dhip_search,
        dhip.decode,
    ),
    _Query(
        "wsdiscovery",
        wsd_codec.MULTICAST_GROUP,
        wsd_codec.PORT,
        "wsdiscovery.match",
        ReadOnlyRequest.wsdiscovery_probe,
        wsdiscovery.decode,
    ),
    _Query(
        "ssdp",
        upnp_codec.MULTICAST_GROUP,
        upnp_codec.PORT,
        "ssdp.reply",
        ReadOnlyRequest.ssdp_msearch,
        ssdp.decode,
    ),
    _Query(
        "mdns",
        mdns_codec.MULTICAST_GROUP,
        mdns_codec.PORT,
        "mdns.answer",
        ReadOnlyRequest.mdns_query,
        mdns.decode,
    ),
)


class _Listener(asyncio.DatagramProtocol):
    def __init__(self, query: _Query) -> None:
        self.query = query
        self.found: list[Observation] = []

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if len(self.found) >= MAX_REPLIES:
            return
        try:
            records = self.query.decode(data)
        except ProtocolError:
            return  # not a reply (possibly our own query looped back)
        for fields, mac in records:
            self.found.append(_observation(self.query, str(addr[0]), int(addr[1]), fields, mac, data))


def _observation(
    query: _Query, ip: str, port: int, fields: dict[str, str], mac: str | None, raw: bytes
) -> Observation:
    return Observation(
        source=f"multicast:{query.name}",
        ip=ip,
        port=port,
        transport=Transport.UDP,
        protocol=query.kind.split(".")[0],
        kind=query.kind,
        fields=fields,
        raw=raw,
        mac=normalise_mac(mac) if mac else None,
    )


def _socket(source: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(source))
    sock.bind((source, 0))
    sock.setblocking(False)
    return sock


def _factory(listener: _Listener) -> Callable[[], _Listener]:
    return lambda: listener


async def discover(source: str = "0.0.0.0", *, seconds: float = 3.0) -> list[Observation]:  # noqa: S104
    """Send each discovery query once to its group from `source`; collect replies for `seconds`."""
    loop = asyncio.get_running_loop()
    listeners = [_Listener(query) for query in QUERIES]
    transports: list[asyncio.DatagramTransport] = []
    try:
        for listener in listeners:
            transport, _ = await loop.create_datagram_endpoint(_factory(listener), sock=_socket(source))
            transports.append(transport)
            query = listener.query
            transport.sendto(query.build().payload, (query.group, query.port))
        await asyncio.sleep(seconds)
    finally:
        for transport in transports:
            transport.close()
    return [obs for listener in listeners for obs in listener.found]


# --- is the scope on our own segment? ---------------------------------------------------------------

ROUTE_TABLE = Path("/proc/net/route")


def connected_networks(table: str | None = None) -> list[ipaddress.IPv4Network]:
    """Directly connected IPv4 networks (no gateway), from the kernel's routing table; loopback excluded.

    Multicast with TTL 1 reaches only these, so discovery by multicast is worth sending only when the
    scope lies on one of them. Reading the table sends nothing.
    """
    text = table if table is not None else (ROUTE_TABLE.read_text() if ROUTE_TABLE.is_file() else "")
    networks = []
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) < 8 or parts[0] == "lo" or int(parts[2], 16) != 0 or int(parts[7], 16) == 0:
            continue  # loopback, a gateway route, or the default route
        address = ipaddress.IPv4Address(socket.ntohl(int(parts[1], 16)))
        mask = ipaddress.IPv4Address(socket.ntohl(int(parts[7], 16)))
        networks.append(ipaddress.IPv4Network(f"{address}/{mask}", strict=False))
    return networks


def on_local_segment(addresses: Sequence[str], networks: Sequence[ipaddress.IPv4Network]) -> bool:
    """True when any target is on a directly connected network (then multicast discovery can see it)."""
    for text in addresses:
        ip = ipaddress.ip_address(text)
        if ip.version == 4 and not ip.is_loopback and any(ip in n for n in networks):
            return True
    return False


def source_for(target: str) -> str:
    """Our address on the interface that reaches `target` (a UDP connect only asks the routing table)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect((target, 9))  # discard port; connect() on UDP sends nothing
        except OSError:
            return "0.0.0.0"  # noqa: S104 - let the kernel choose
        return str(probe.getsockname()[0])
