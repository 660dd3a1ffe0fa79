"""Build realistic captures in the tests (dpkt writes the files; nothing is ever sent).

Addresses: local devices in 192.168.1.0/24; "external" destinations only from the documentation
ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) and 198.18.0.0/15.
Behaviour follows /work/shared/reference/devices.md §1.1 (SADP), §2.1 (DHIP), §8.1 (EZVIZ ports,
litedev.ezvizlife.com), §8.2 (Dahua P2P: DHGET over UDP 8800 to easy4ipcloud, the PTCP tunnel).
"""

from __future__ import annotations

import gzip
import socket
import struct
from collections.abc import Iterable
from pathlib import Path

import dpkt

from camaudit.protocols import dhip, sadp

Frame = tuple[float, bytes]
T0 = 1_700_000_000.0

HIK_MAC = "c0:56:e3:11:22:33"  # a Hikvision OUI block (devices.md §5)
DAHUA_MAC = "3c:ef:8c:44:55:66"  # a Dahua OUI block (devices.md §5)
PC_MAC = "02:00:00:00:00:10"
ROUTER_MAC = "02:00:00:00:00:01"


def _mac(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


def _ip(src: str, dst: str, proto: int, body: bytes) -> dpkt.Packet:
    if ":" in src:
        pkt = dpkt.ip6.IP6(
            src=socket.inet_pton(socket.AF_INET6, src),
            dst=socket.inet_pton(socket.AF_INET6, dst),
            nxt=proto,
            hlim=64,
            data=body,
        )
        pkt.plen = len(bytes(body))
        return pkt
    return dpkt.ip.IP(src=socket.inet_aton(src), dst=socket.inet_aton(dst), p=proto, ttl=64, data=body)


def eth(src_mac: str, dst_mac: str, ip_pkt: dpkt.Packet) -> bytes:
    kind = dpkt.ethernet.ETH_TYPE_IP6 if isinstance(ip_pkt, dpkt.ip6.IP6) else dpkt.ethernet.ETH_TYPE_IP
    return bytes(dpkt.ethernet.Ethernet(src=_mac(src_mac), dst=_mac(dst_mac), type=kind, data=ip_pkt))


def udp(
    src: str,
    dst: str,
    sport: int,
    dport: int,
    payload: bytes,
    *,
    mac: str = PC_MAC,
    dst_mac: str = ROUTER_MAC,
) -> bytes:
    body = dpkt.udp.UDP(sport=sport, dport=dport, data=payload)
    body.ulen = 8 + len(payload)
    return eth(mac, dst_mac, _ip(src, dst, dpkt.ip.IP_PROTO_UDP, body))


def tcp(
    src: str,
    dst: str,
    sport: int,
    dport: int,
    payload: bytes = b"",
    *,
    flags: int = dpkt.tcp.TH_ACK,
    mac: str = PC_MAC,
    dst_mac: str = ROUTER_MAC,
) -> bytes:
    body = dpkt.tcp.TCP(sport=sport, dport=dport, flags=flags, seq=1, ack=1, win=65535, data=payload)
    return eth(mac, dst_mac, _ip(src, dst, dpkt.ip.IP_PROTO_TCP, body))


def ip_length(frame: bytes) -> int:
    """The IP total length the reader counts (IPv4 total length, or 40 + IPv6 payload length)."""
    if frame[12:14] == b"\x86\xdd":
        return 40 + struct.unpack_from("!H", frame, 18)[0]
    return struct.unpack_from("!H", frame, 16)[0]


def dns_answer(name: str, addresses: Iterable[str], qid: int = 0x1234) -> bytes:
    msg = dpkt.dns.DNS(id=qid, qr=dpkt.dns.DNS_R, opcode=dpkt.dns.DNS_QUERY, rcode=dpkt.dns.DNS_RCODE_NOERR)
    msg.qd = [dpkt.dns.DNS.Q(name=name, type=dpkt.dns.DNS_A, cls=dpkt.dns.DNS_IN)]
    msg.an = [
        dpkt.dns.DNS.RR(
            name=name, type=dpkt.dns.DNS_A, cls=dpkt.dns.DNS_IN, ttl=60, rdata=socket.inet_aton(a)
        )
        for a in addresses
    ]
    return bytes(msg)


def dns_query(name: str, qid: int = 0x4321) -> bytes:
    msg = dpkt.dns.DNS(id=qid, qr=dpkt.dns.DNS_Q, opcode=dpkt.dns.DNS_QUERY)
    msg.qd = [dpkt.dns.DNS.Q(name=name, type=dpkt.dns.DNS_A, cls=dpkt.dns.DNS_IN)]
    return bytes(msg)


def sadp_reply(ip: str, mac: str, model: str, serial: str) -> bytes:
    fields = {
        "DeviceType": "139",
        "DeviceDescription": model,
        "DeviceSN": serial,
        "MAC": mac.replace(":", "-"),
        "IPv4Address": ip,
        "SoftwareVersion": "V5.5.0build 170725",
        "HCPlatformEnable": "true",
    }
    return sadp.build_reply(fields, "7E2AD8A0-1234-4C4C-9E2B-0123456789AB")


def dhip_reply(ip: str, mac: str) -> bytes:
    info = {
        "DeviceClass": "IPC",
        "DeviceType": "IPC-HDW5231R-ZE",
        "SerialNo": "4M05C2APAJ12345",
        "Vendor": "Private",
        "Version": "2.800.0000000.5.R",
        "IPv4Address": {"IPAddress": ip},
    }
    return dhip.build_device_info_reply(mac, info)


def dhcp_request(mac: str, requested: str, vendor_class: bytes, hostname: bytes) -> bytes:
    opts = [
        (dpkt.dhcp.DHCP_OPT_MSGTYPE, bytes([dpkt.dhcp.DHCPREQUEST])),
        (dpkt.dhcp.DHCP_OPT_REQ_IP, socket.inet_aton(requested)),
        (dpkt.dhcp.DHCP_OPT_VENDOR_ID, vendor_class),
        (dpkt.dhcp.DHCP_OPT_HOSTNAME, hostname),
    ]
    return bytes(dpkt.dhcp.DHCP(op=dpkt.dhcp.DHCP_OP_REQUEST, chaddr=_mac(mac), xid=7, opts=opts))


def tls_client_hello(server_name: str) -> bytes:
    name = server_name.encode()
    sni = struct.pack("!HBH", len(name) + 3, 0, len(name)) + name
    ext = struct.pack("!HH", 0, len(sni)) + sni
    body = (
        b"\x03\x03"
        + b"\x11" * 32
        + b"\x00"
        + struct.pack("!H", 2)
        + b"\x13\x01"
        + b"\x01\x00"
        + struct.pack("!H", len(ext))
        + ext
    )
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def write_pcap(path: Path, frames: Iterable[Frame], *, compress: bool = False, nano: bool = False) -> Path:
    opener = gzip.open if compress else open
    with opener(path, "wb") as handle:  # type: ignore[operator]
        writer = dpkt.pcap.Writer(handle, nano=nano)
        for ts, frame in frames:
            writer.writepkt(frame, ts=ts)
    return path


def write_pcapng(path: Path, frames: Iterable[Frame]) -> Path:
    with path.open("wb") as handle:
        writer = dpkt.pcapng.Writer(handle)
        for ts, frame in frames:
            writer.writepkt(frame, ts=ts)
    return path


# --- one small estate -------------------------------------------------------------------------

HIK = "192.168.1.20"
DAHUA = "192.168.1.30"
PC = "192.168.1.50"
RESOLVER = "192.168.1.1"
CLOSED_CAM = "192.168.2.40"
EZVIZ_REG = "203.0.113.10"  # litedev.ezvizlife.com in this capture
EZVIZ_MQTT = "203.0.113.11"  # no name: classified by the Hikvision-family port tcp/31006
EZVIZ_STUN = "198.51.100.7"
NTP = "192.0.2.123"
P2P = "198.51.100.80"  # www.easy4ipcloud.com in this capture
RELAY = "198.18.5.5"  # no name, no family port: the PTCP prefix classifies it
WEB = "192.0.2.80"  # www.example.org, reached by the PC


def estate() -> list[Frame]:
    """Two cameras phoning home, a closed-network camera, a PC, and malformed frames."""
    t = T0
    out: list[Frame] = []

    def add(frame: bytes) -> None:
        nonlocal t
        t += 0.5
        out.append((t, frame))

    add(
        udp(
            HIK,
            "239.255.255.250",
            37020,
            37020,
            sadp_reply(HIK, HIK_MAC, "DS-2CD2042WD-I", "DS-2CD2042WD-I20170101AAWR123456789"),
            mac=HIK_MAC,
            dst_mac="01:00:5e:7f:ff:fa",
        )
    )
    add(
        udp(
            DAHUA,
            "239.255.255.251",
            37810,
            37810,
            dhip_reply(DAHUA, DAHUA_MAC),
            mac=DAHUA_MAC,
            dst_mac="01:00:5e:7f:ff:fb",
        )
    )
    add(
        udp(
            CLOSED_CAM,
            "239.255.255.250",
            37020,
            37020,
            sadp_reply(
                CLOSED_CAM, "c0:56:e3:aa:bb:cc", "DS-2CD2143G0-I", "DS-2CD2143G0-I20190101AAWR987654321"
            ),
            mac="c0:56:e3:aa:bb:cc",
            dst_mac="01:00:5e:7f:ff:fa",
        )
    )
    add(
        udp(
            HIK,
            "255.255.255.255",
            68,
            67,
            dhcp_request(HIK_MAC, HIK, b"udhcp 1.19.4", b"IPCamera"),
            mac=HIK_MAC,
        )
    )
    # EZVIZ: DNS for litedev.ezvizlife.com, then tcp/8666 registration (3 x 200 B up, 2 x 100 B down)
    add(
        udp(
            RESOLVER,
            HIK,
            53,
            40001,
            dns_answer("litedev.ezvizlife.com", [EZVIZ_REG]),
            mac=ROUTER_MAC,
            dst_mac=HIK_MAC,
        )
    )
    for _ in range(3):
        add(tcp(HIK, EZVIZ_REG, 40100, 8666, b"\x9e" * 200, mac=HIK_MAC))
    for _ in range(2):
        add(tcp(EZVIZ_REG, HIK, 8666, 40100, b"\x01" * 100, mac=ROUTER_MAC, dst_mac=HIK_MAC))
    add(tcp(HIK, EZVIZ_MQTT, 40101, 31006, b"\x10\x2a\x00\x04MQTT\x04\xc2\x00\x3c" + b"x" * 30, mac=HIK_MAC))
    add(udp(HIK, EZVIZ_STUN, 40102, 31007, b'<?xml version="1.0"?><Request/>', mac=HIK_MAC))
    add(udp(HIK, NTP, 123, 123, b"\x23" + b"\x00" * 47, mac=HIK_MAC))
    # Dahua: DHGET to the P2P server on UDP 8800 (named by DNS), PTCP tunnel to a relay, an Imou lookup
    add(
        udp(
            RESOLVER,
            DAHUA,
            53,
            40003,
            dns_answer("www.easy4ipcloud.com", [P2P]),
            mac=ROUTER_MAC,
            dst_mac=DAHUA_MAC,
        )
    )
    add(udp(DAHUA, P2P, 40200, 8800, b"DHGET /probe/p2psrv HTTP/1.1\r\nCSeq: 1\r\n\r\n", mac=DAHUA_MAC))
    add(
        udp(P2P, DAHUA, 8800, 40200, b"HTTP/1.1 200 OK\r\nCSeq: 1\r\n\r\n", mac=ROUTER_MAC, dst_mac=DAHUA_MAC)
    )
    for _ in range(4):
        add(udp(DAHUA, RELAY, 40201, 40500, b"PTCP" + b"\x00" * 20 + b"\x10" + b"v" * 975, mac=DAHUA_MAC))
    add(udp(DAHUA, RESOLVER, 40004, 53, dns_query("www.imoulife.com"), mac=DAHUA_MAC))
    # the closed-network camera only talks on its own segment (NTP from the local router)
    add(udp(CLOSED_CAM, RESOLVER, 123, 123, b"\x23" + b"\x00" * 47, mac="c0:56:e3:aa:bb:cc"))
    # PC noise: HTTPS with SNI, and a connection to port 31006 that must not be called EZVIZ
    add(tcp(PC, WEB, 50000, 443, tls_client_hello("www.example.org"), mac=PC_MAC))
    add(tcp(WEB, PC, 443, 50000, b"\x17\x03\x03\x00\x10" + b"e" * 16, mac=ROUTER_MAC, dst_mac=PC_MAC))
    add(tcp(PC, EZVIZ_MQTT, 50001, 31006, b"hello", mac=PC_MAC))
    # malformed: a runt frame, an ARP frame, an IPv4 header with IHL 2, a UDP header cut short
    add(b"\x00" * 10)
    add(bytes.fromhex("ffffffffffff0200000000100806") + b"\x00" * 28)
    add(bytes.fromhex("0200000000010200000000100800") + b"\x42" + b"\x00" * 19)
    add(udp(PC, WEB, 1, 2, b"")[: 14 + 20 + 4])
    return out
