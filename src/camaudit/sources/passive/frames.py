"""Link-layer and IP header slicing for the pcap hot loop (no per-layer object decode).

Only the fields the aggregate needs are read: addresses, protocol, ports, the IP total length
and where the transport payload starts. Offsets are from the public specifications:
Ethernet II and IEEE 802.1Q (4-byte tag), Linux cooked capture v1/v2 (tcpdump.org/linktypes),
BSD loopback (4-byte family), IPv4 (RFC 791 §3.1), IPv6 (RFC 8200 §3, §4), UDP (RFC 768),
TCP (RFC 9293 §3.1). Anything shorter than its own header is reported as None (malformed).
"""

from __future__ import annotations

import socket
import struct

DLT_NULL = 0
DLT_EN10MB = 1
DLT_RAW = (12, 14, 101)
DLT_LINUX_SLL = 113
DLT_IPV4 = 228
DLT_IPV6 = 229
DLT_LINUX_SLL2 = 276
SUPPORTED = frozenset({DLT_NULL, DLT_EN10MB, *DLT_RAW, DLT_LINUX_SLL, DLT_IPV4, DLT_IPV6, DLT_LINUX_SLL2})
TCP, UDP = 6, 17
_VLAN = (0x8100, 0x88A8)
_V6_EXT = (0, 43, 60)  # hop-by-hop, routing, destination options: skip by their length byte
_V6_FRAG = 44
_U16 = struct.Struct("!H")
_PORTS = struct.Struct("!HH")

# (src, dst, proto, sport, dport, ip_length, payload) — addresses as packed bytes.
Packet = tuple[bytes, bytes, int, int, int, int, bytes]


def link(linktype: int, frame: bytes) -> tuple[int, bytes | None] | None:
    """(offset of the IP header, source MAC or None) for one frame, or None when not IP."""
    if linktype == DLT_EN10MB:
        return _ethernet(frame)
    if linktype in DLT_RAW or linktype in (DLT_IPV4, DLT_IPV6):
        return (0, None)
    if linktype == DLT_LINUX_SLL and len(frame) >= 16:  # address at 6..14, protocol at 14
        mac = frame[6:12] if _U16.unpack_from(frame, 4)[0] == 6 else None
        return (16, mac) if _U16.unpack_from(frame, 14)[0] in (0x0800, 0x86DD) else None
    if linktype == DLT_LINUX_SLL2 and len(frame) >= 20:  # protocol at 0, address at 12..20
        mac = frame[12:18] if frame[11] == 6 else None
        return (20, mac) if _U16.unpack_from(frame, 0)[0] in (0x0800, 0x86DD) else None
    if linktype == DLT_NULL and len(frame) >= 4:
        return (4, None)
    return None


def _ethernet(frame: bytes) -> tuple[int, bytes | None] | None:
    if len(frame) < 14:
        return None
    offset, ethertype = 12, _U16.unpack_from(frame, 12)[0]
    while ethertype in _VLAN and len(frame) >= offset + 6:
        offset += 4
        ethertype = _U16.unpack_from(frame, offset)[0]
    if ethertype not in (0x0800, 0x86DD):
        return None
    return (offset + 2, frame[6:12])


def ip(frame: bytes, offset: int) -> Packet | None:
    """Addresses, protocol, ports, IP length and transport payload of the packet at `offset`."""
    if len(frame) < offset + 20:
        return None
    version = frame[offset] >> 4
    if version == 4:
        return _ipv4(frame, offset)
    if version == 6:
        return _ipv6(frame, offset)
    return None


def _ipv4(frame: bytes, offset: int) -> Packet | None:
    ihl = (frame[offset] & 15) * 4
    length = _U16.unpack_from(frame, offset + 2)[0]
    if ihl < 20 or length < ihl:
        return None
    src, dst, proto = frame[offset + 12 : offset + 16], frame[offset + 16 : offset + 20], frame[offset + 9]
    if _U16.unpack_from(frame, offset + 6)[0] & 0x1FFF:  # a later fragment carries no ports
        return (src, dst, proto, 0, 0, length, b"")
    return _transport(frame, src, dst, proto, offset + ihl, offset + length, length)


def _ipv6(frame: bytes, offset: int) -> Packet | None:
    if len(frame) < offset + 40:
        return None
    length = 40 + _U16.unpack_from(frame, offset + 4)[0]
    proto, src, dst = frame[offset + 6], frame[offset + 8 : offset + 24], frame[offset + 24 : offset + 40]
    pos = offset + 40
    for _ in range(8):  # bounded walk over extension headers
        if proto in _V6_EXT and len(frame) >= pos + 2:
            proto, pos = frame[pos], pos + 8 + frame[pos + 1] * 8
        elif proto == _V6_FRAG and len(frame) >= pos + 8:
            if _U16.unpack_from(frame, pos + 2)[0] & 0xFFF8:
                return (src, dst, frame[pos], 0, 0, length, b"")
            proto, pos = frame[pos], pos + 8
        else:
            break
    return _transport(frame, src, dst, proto, pos, offset + length, length)


def _transport(
    frame: bytes, src: bytes, dst: bytes, proto: int, pos: int, end: int, length: int
) -> Packet | None:
    if proto == UDP:
        if len(frame) < pos + 8:
            return None
        sport, dport = _PORTS.unpack_from(frame, pos)
        return (src, dst, proto, sport, dport, length, frame[pos + 8 : end])
    if proto == TCP:
        if len(frame) < pos + 20:
            return None
        sport, dport = _PORTS.unpack_from(frame, pos)
        start = pos + (frame[pos + 12] >> 4) * 4
        return (src, dst, proto, sport, dport, length, frame[start:end] if start < end else b"")
    return (src, dst, proto, 0, 0, length, b"")


def ntop(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def mac_text(raw: bytes) -> str:
    return raw.hex(":")


def transport_name(proto: int) -> str:
    return {TCP: "tcp", UDP: "udp", 1: "icmp", 58: "icmpv6"}.get(proto, f"ip-{proto}")
