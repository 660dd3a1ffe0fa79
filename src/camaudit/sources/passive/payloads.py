"""What one packet's payload tells, read with the shared sans-I/O codecs (never trusted).

Every function takes bytes a device or a stranger sent and returns data or None: a payload that
does not parse is just not evidence. Sizes are bounded by the codecs' own caps.

* discovery announcements and replies: SADP (UDP 37020), DHIP (UDP 37810), WS-Discovery (UDP 3702);
* clear-text HTTP and RTSP response heads, the server certificate in a TLS 1.2 server flight;
* names a destination was reached by: DNS answers (RFC 1035), TLS SNI (RFC 6066 §3), HTTP Host;
* SSDP NOTIFY and M-SEARCH replies (UDP 1900) and mDNS responses (UDP 5353);
* DHCP client options 60 (vendor class), 12 (host name) and 55 (parameter list) (RFC 2132 §9.13, §3.14, §9.8).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

import dpkt

from camaudit.errors import ProtocolError
from camaudit.protocols import dhip, http, mdns, rtsp, sadp, tls, upnp, wsdiscovery

# (protocol, kind, fields) of what a payload announced about its sender.
Found = tuple[str, str, dict[str, str]]
MAX_NAME = 253  # RFC 1035 §2.3.4
_HTTP_METHODS = (b"GET ", b"POST ", b"HEAD ", b"PUT ", b"OPTIONS ", b"DELETE ", b"PATCH ")
_DHCP_VENDOR_CLASS = 60
_DHCP_HOSTNAME = 12
_DHCP_REQUESTED_IP = 50
_DHCP_PARAMS = 55


def discovery(sport: int, dport: int, payload: bytes) -> Found | None:
    """SADP / DHIP / WS-Discovery from the UDP ports and the payload's own magic."""
    try:
        if 37020 in (sport, dport) and b"ProbeMatch" in payload[:200]:
            return ("sadp", "sadp.reply", sadp.observation_fields(sadp.parse_reply(payload)))
        if payload[4:8] == dhip.MAGIC:
            msg = dhip.parse_message(payload)
            found = dhip.observation_fields(msg)
            return ("dhip", "dhip.reply", found) if len(found) > 1 else None
        if 3702 in (sport, dport) and (b"ProbeMatches" in payload or b"Hello" in payload):
            matches = wsdiscovery.parse_probe_matches(payload)
            return ("wsdiscovery", "wsdiscovery.match", wsdiscovery.observation_fields(matches[0]))
        return _announcement(sport, dport, payload)
    except (ProtocolError, ValueError, IndexError):
        return None


def _announcement(sport: int, dport: int, payload: bytes) -> Found | None:
    """An SSDP NOTIFY or M-SEARCH reply (UDA 2.0 §1.2-1.3), or an mDNS response (RFC 6762 §6)."""
    if upnp.PORT in (sport, dport) and payload.startswith((b"NOTIFY ", b"HTTP/1.")):
        fields = upnp.reply_fields(upnp.parse_reply(payload))
        return ("ssdp", "ssdp.reply", fields) if fields else None
    if sport == mdns.PORT:
        fields = mdns.observation_fields(mdns.parse_response(payload))
        return ("mdns", "mdns.answer", fields) if fields else None
    return None


def response_head(payload: bytes) -> Found | None:
    """A clear-text HTTP or RTSP response (the server's banner), parsed from what one segment holds."""
    try:
        if payload.startswith(b"HTTP/1."):
            resp = http.parse_response(payload)
            return ("http", "http.response", http.observation_fields(resp, path="(passive)"))
        if payload.startswith(b"RTSP/1.0 "):
            reply = rtsp.parse_response(payload)
            return ("rtsp", "rtsp.response", rtsp.observation_fields(reply, method="(passive)"))
    except (ProtocolError, ValueError):
        return None
    return None


def http_host(payload: bytes) -> str | None:
    """The Host header of a clear-text request (the name a destination was reached by)."""
    if not payload.startswith(_HTTP_METHODS):
        return None
    head = payload[:4096]
    for line in head.split(b"\r\n")[1:]:
        if not line:
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"host":
            return _clean_name(value.strip().decode("latin-1").rsplit(":", 1)[0])
    return None


def _clean_name(text: str) -> str | None:
    name = text.strip().rstrip(".").lower()
    if not name or len(name) > MAX_NAME or not name.isascii() or not name.isprintable() or " " in name:
        return None
    return name


def _handshakes(payload: bytes) -> list[tuple[int, bytes]]:
    """Handshake messages inside the TLS records of one segment (RFC 5246 §6.2.1, §7.4)."""
    data = bytearray()
    pos = 0
    while pos + 5 <= len(payload) and payload[pos] == 0x16:
        length = struct.unpack_from("!H", payload, pos + 3)[0]
        data += payload[pos + 5 : pos + 5 + length]
        pos += 5 + length
    found: list[tuple[int, bytes]] = []
    pos = 0
    while pos + 4 <= len(data):
        kind, length = data[pos], int.from_bytes(data[pos + 1 : pos + 4], "big")
        found.append((kind, bytes(data[pos + 4 : pos + 4 + length])))
        pos += 4 + length
    return found


def tls_sni(payload: bytes) -> str | None:
    """server_name from a ClientHello (RFC 6066 §3); None when absent or malformed."""
    if payload[:1] != b"\x16" or payload[5:6] != b"\x01":
        return None
    for kind, body in _handshakes(payload):
        if kind == 1:
            return _sni_of(body)
    return None


def _sni_of(hello: bytes) -> str | None:
    try:
        pos = 34  # client_version(2) + random(32)
        pos += 1 + hello[pos]
        pos += 2 + struct.unpack_from("!H", hello, pos)[0]
        pos += 1 + hello[pos]
        end = pos + 2 + struct.unpack_from("!H", hello, pos)[0]
        pos += 2
        while pos + 4 <= min(end, len(hello)):
            ext, length = struct.unpack_from("!HH", hello, pos)
            if ext == 0:  # server_name: list length(2), type(1) = host_name(0), length(2), name
                size = struct.unpack_from("!H", hello, pos + 7)[0]
                return _clean_name(hello[pos + 9 : pos + 9 + size].decode("latin-1"))
            pos += 4 + length
    except (IndexError, struct.error):
        return None
    return None


def tls_certificate(payload: bytes) -> Found | None:
    """The server's first certificate when a TLS 1.2 server flight carries it in one segment."""
    if payload[:1] != b"\x16" or payload[5:6] != b"\x02":
        return None
    for kind, body in _handshakes(payload):
        if kind == 11 and len(body) >= 6:
            size = int.from_bytes(body[3:6], "big")
            der = body[6 : 6 + size]
            if len(der) != size:
                return None  # the certificate continues in the next segment: not reassembled
            try:
                return ("tls", "tls.certificate", tls.certificate_fields(der))
            except ProtocolError:
                return None
    return None


@dataclass(frozen=True, slots=True)
class DnsAnswer:
    """One DNS response: the name asked and the addresses it resolved to (after CNAMEs)."""

    name: str
    addresses: tuple[str, ...]


def dns_response(payload: bytes) -> DnsAnswer | None:
    """A DNS response's question and A/AAAA answers (RFC 1035 §4.1), or None."""
    try:
        msg = dpkt.dns.DNS(payload)
    except (dpkt.UnpackError, IndexError, struct.error, UnicodeDecodeError):
        return None
    if msg.qr != dpkt.dns.DNS_R or not msg.qd:
        return None
    name = _clean_name(msg.qd[0].name)
    if name is None:
        return None
    addresses = []
    for rr in msg.an[:64]:
        if (rr.type, len(rr.rdata)) in ((dpkt.dns.DNS_A, 4), (dpkt.dns.DNS_AAAA, 16)):
            addresses.append(bytes(rr.rdata))
    return DnsAnswer(name, tuple(_ntop(a) for a in addresses))


def _ntop(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def dns_query(payload: bytes) -> str | None:
    """The question of a DNS query (a lookup with no answer seen still shows intent)."""
    try:
        msg = dpkt.dns.DNS(payload)
    except (dpkt.UnpackError, IndexError, struct.error, UnicodeDecodeError):
        return None
    if msg.qr != dpkt.dns.DNS_Q or not msg.qd:
        return None
    return _clean_name(msg.qd[0].name)


@dataclass(frozen=True, slots=True)
class DhcpClient:
    """What a DHCP client said about itself."""

    mac: str
    requested_ip: str | None
    fields: dict[str, str]


def dhcp_client(payload: bytes) -> DhcpClient | None:
    """Options 60 and 12 of a client message (BOOTREQUEST, RFC 2131 §2), with chaddr and ciaddr/50."""
    try:
        msg = dpkt.dhcp.DHCP(payload)
    except (dpkt.UnpackError, IndexError, struct.error):
        return None
    if msg.op != dpkt.dhcp.DHCP_OP_REQUEST or len(msg.chaddr) < 6:
        return None
    opts = dict(msg.opts)
    fields = {}
    for code, key in ((_DHCP_VENDOR_CLASS, "dhcp.vendor_class"), (_DHCP_HOSTNAME, "dhcp.hostname")):
        if code in opts:
            fields[key] = bytes(opts[code]).decode("latin-1")
    if _DHCP_PARAMS in opts:  # RFC 2132 §9.8: the order a client asks in is its DHCP stack's
        fields["dhcp.params"] = ",".join(str(b) for b in bytes(opts[_DHCP_PARAMS])[:255])
    requested = opts.get(_DHCP_REQUESTED_IP)
    ip = _ntop(requested) if requested and len(requested) == 4 else None
    if ip is None and msg.ciaddr:
        ip = _ntop(struct.pack("!I", msg.ciaddr))
    mac = ":".join(f"{b:02x}" for b in msg.chaddr[:6])
    return DhcpClient(mac, ip, fields) if fields else None
