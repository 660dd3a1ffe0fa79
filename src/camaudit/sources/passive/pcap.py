"""pcap / pcapng files (gzip sniffed by magic) into a TrafficSummary, streaming.

dpkt (BSD) reads the file and record headers. Its readers trust every length field (a hostile
caplen of 4 GB reads the rest of the file into memory) and yield a cut-off last record as if it
were whole, so they read through `_Guarded`, which caps each read and turns a short read into an
error naming the byte offset. After a corrupt classic-pcap record we resynchronise on the next
plausible record header (RFC 9... draft-ietf-opsawg-pcap §4: timestamp, caplen <= snaplen,
caplen <= len) and go on counting. Packets are sliced (`frames`), not decoded layer by layer;
only the first few payload-carrying packets of each flow are inspected for evidence.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import dpkt

from camaudit.errors import BadImportFile
from camaudit.model import Observation, Transport
from camaudit.sources.passive import frames, payloads
from camaudit.sources.passive.inflate import Inflate, InflateLimit, open_bounded
from camaudit.sources.passive.summary import TrafficSummary, to_time

MAX_READ = 1 << 20  # largest record/block we accept (snaplen is at most 262144 in practice)
FLOW_FLUSH = 100_000  # flows kept in the hot table before folding into the per-device aggregate
INSPECT = 3  # payload-carrying packets inspected per flow entry
RESYNC_WINDOW = 4 << 20
_GZIP = b"\x1f\x8b"
_PCAP_MAGICS = {b"\xa1\xb2\xc3\xd4", b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d", b"\x4d\x3c\xb2\xa1"}
_PCAPNG = b"\x0a\x0d\x0d\x0a"
_SOURCE = "pcap"


class _Corrupt(Exception):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset


class _Guarded(io.RawIOBase):
    """A read-only view that caps reads and reports short ones with their offset."""

    def __init__(self, raw: BinaryIO, offset: int = 0, prefix: bytes = b"") -> None:
        self.raw, self.offset, self.prefix, self.base = raw, offset, prefix, offset

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > MAX_READ:
            raise _Corrupt(self.offset, f"record length {size} out of range")
        if self.prefix:  # the saved file header, replayed after a resync
            data, self.prefix = self.prefix[:size], self.prefix[size:]
            return data
        start = self.offset
        data = _read(self.raw, size, start)
        self.offset += len(data)
        if 0 < len(data) < size:
            raise _Corrupt(start, f"truncated: {len(data)} of {size} bytes")
        return data

    def readable(self) -> bool:
        return True


def _read(raw: BinaryIO, size: int, offset: int) -> bytes:
    try:
        return raw.read(size)
    except InflateLimit:
        raise  # not damage: the budget; read_capture says what was cut and stops
    except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
        raise _Corrupt(offset, f"compressed stream broken: {exc}") from None


@contextlib.contextmanager
def _open(path: Path, budget: Inflate | None = None) -> Iterator[BinaryIO]:
    """The file, or its gzip stream when it starts with the gzip magic (whatever its name), inflated
    within `budget` (a decompression bomb stops with InflateLimit)."""
    with path.open("rb") as handle:
        if handle.read(2) != _GZIP:
            handle.seek(0)
            yield handle
            return
        handle.seek(0)
        with open_bounded(path, handle, budget) as unpacked:
            yield unpacked  # type: ignore[misc]


def capture_kind(path: Path) -> str:
    """``pcap`` or ``pcapng`` from the magic (after gzip); raises BadImportFile otherwise."""
    with _open(path) as raw:
        try:
            magic = raw.read(4)
        except (EOFError, zlib.error, OSError) as exc:
            raise BadImportFile(f"{path}: byte 0: not readable gzip ({exc})") from None
    if magic in _PCAP_MAGICS:
        return "pcap"
    if magic == _PCAPNG:
        return "pcapng"
    raise BadImportFile(f"{path}: byte 0: not a pcap or pcapng file (magic {magic.hex() or 'empty'})")


def _reader(stream: _Guarded, kind: str, path: Path) -> Any:
    try:
        return dpkt.pcap.Reader(stream) if kind == "pcap" else dpkt.pcapng.Reader(stream)
    except (ValueError, dpkt.UnpackError, _Corrupt, struct.error) as exc:
        where = getattr(exc, "offset", stream.base)
        raise BadImportFile(
            f"{path}: byte {where}: bad capture header ({exc or type(exc).__name__})"
        ) from None


def read_capture(path: Path, summary: TrafficSummary) -> None:
    """Feed every packet of `path` into `summary`; damaged records become counted warnings, and a
    compressed file cut at its inflate budget counts what was read before the cut."""
    kind = capture_kind(path)
    summary.files += 1
    with _open(path, summary.inflate) as raw:
        header = raw.read(24) if kind == "pcap" else b""
        raw.seek(0)
        stream = _Guarded(raw)
        reader = _reader(stream, kind, path)
        scanner = _Scanner(summary, str(path), reader.datalink())
        try:
            _scan(raw, stream, reader, scanner, (path, kind, header))
        except InflateLimit as exc:
            summary.warn(str(path), "gzip", str(exc))
            summary.cut_files += 1
        finally:
            scanner.flush()


def _scan(
    raw: BinaryIO, stream: _Guarded, reader: Any, scanner: _Scanner, what: tuple[Path, str, bytes]
) -> None:
    path, kind, header = what
    summary = scanner.summary
    while True:
        try:
            for ts, frame in reader:
                scanner.packet(ts, frame)
            return
        except (_Corrupt, dpkt.UnpackError, struct.error) as exc:
            offset = getattr(exc, "offset", stream.offset)
            summary.warn(str(path), f"byte {offset}", str(exc) or type(exc).__name__)
            found = _resync(raw, offset, header, scanner.last_ts) if kind == "pcap" else None
            if found is None:
                return
            summary.warn(str(path), f"byte {found}", "resynchronised on the next record header")
            raw.seek(found)
            stream = _Guarded(raw, found, header)
            reader = _reader(stream, kind, path)


def _resync(raw: BinaryIO, offset: int, header: bytes, last_ts: float) -> int | None:
    """The offset of the next record whose header and successor header are plausible."""
    little = header[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
    fmt = struct.Struct("<IIII" if little else ">IIII")
    snaplen = fmt.unpack_from(header, 8)[2] or MAX_READ
    try:
        raw.seek(offset + 1)
        window = raw.read(RESYNC_WINDOW)
    except InflateLimit:
        raise
    except (EOFError, zlib.error, OSError):
        return None

    def plausible(pos: int) -> bool:
        if pos + 16 > len(window):
            return pos == len(window)
        sec, frac, cap, length = fmt.unpack_from(window, pos)
        return bool(
            abs(sec - last_ts) < 86400 * 2 and frac < 1_000_000_000 and cap <= min(snaplen, length, MAX_READ)
        )

    for pos in range(len(window) - 16):
        if plausible(pos) and plausible(pos + 16 + fmt.unpack_from(window, pos)[2]):
            return offset + 1 + pos
    return None


class _Scanner:
    """The hot loop's state: the flow table and the inspection of new flows."""

    def __init__(self, summary: TrafficSummary, name: str, linktype: int) -> None:
        self.summary, self.name, self.linktype = summary, name, linktype
        if linktype not in frames.SUPPORTED:
            summary.warn(name, "byte 0", f"link type {linktype} not supported: packets skipped")
        self.flows: dict[tuple[bytes, bytes, int, int, int], list[Any]] = {}
        self.last_ts = 0.0
        self.index = 0

    def packet(self, ts: float, frame: bytes) -> None:
        summary = self.summary
        summary.records += 1
        self.index += 1
        found = frames.link(self.linktype, frame)
        pkt = frames.ip(frame, found[0]) if found is not None else None
        if pkt is None:
            summary.skipped += 1
            return
        ts = float(ts)
        self.last_ts = ts
        src, dst, proto, sport, dport, length, payload = pkt
        key = (src, dst, proto, sport, dport)
        flow = self.flows.get(key)
        if flow is None:
            if len(self.flows) >= FLOW_FLUSH:
                self.flush()
            flow = self.flows[key] = [0, 0, ts, ts, INSPECT, b""]
            if found is not None and found[1] is not None:
                summary.note_mac(frames.ntop(src), frames.mac_text(found[1]))
        flow[0] += 1
        flow[1] += length
        flow[3] = ts
        if payload and flow[4]:
            flow[4] -= 1
            if not flow[5]:
                flow[5] = payload[:16]
            self.inspect(pkt, ts, found[1] if found else None)

    def flush(self) -> None:
        add = self.summary.add_flow
        for (src, dst, proto, sport, dport), flow in self.flows.items():
            packets, nbytes, first, last, _, prefix = flow
            add(
                frames.ntop(src),
                frames.ntop(dst),
                frames.transport_name(proto),
                sport,
                dport,
                packets,
                nbytes,
                first,
                last,
                prefix,
            )
        self.flows.clear()

    def inspect(self, pkt: frames.Packet, ts: float, mac: bytes | None) -> None:
        src, dst, proto, sport, dport, _, payload = pkt
        try:
            if proto == frames.UDP:
                self._udp(frames.ntop(src), frames.ntop(dst), sport, dport, payload, ts, mac)
            elif proto == frames.TCP:
                self._tcp(frames.ntop(src), frames.ntop(dst), sport, dport, payload, ts, mac)
        except Exception as exc:
            self.summary.warn(self.name, f"packet {self.index}", f"payload not understood: {exc!r}"[:200])

    def _udp(
        self, src: str, dst: str, sport: int, dport: int, data: bytes, ts: float, mac: bytes | None
    ) -> None:
        if sport == 53:
            answer = payloads.dns_response(data)
            if answer is not None:
                self.summary.add_dns(dst, answer.name, answer.addresses)
            return
        if dport == 53:
            name = payloads.dns_query(data)
            if name is not None:
                self.summary.add_dns(src, name, ())
            return
        if sport == 68 and dport == 67:
            self._dhcp(data, ts)
            return
        found = payloads.discovery(sport, dport, data)
        if found is not None:
            self._found(src, sport, Transport.UDP, found, data, ts, mac)

    def _tcp(
        self, src: str, dst: str, sport: int, dport: int, data: bytes, ts: float, mac: bytes | None
    ) -> None:
        if (name := payloads.http_host(data)) is not None:
            self.summary.add_name(dst, name, "http-host")
        elif (name := payloads.tls_sni(data)) is not None:
            self.summary.add_name(dst, name, "sni")
        elif (found := payloads.response_head(data) or payloads.tls_certificate(data)) is not None:
            self._found(src, sport, Transport.TCP, found, data, ts, mac)

    def _found(
        self,
        ip: str,
        port: int,
        transport: Transport,
        found: payloads.Found,
        raw: bytes,
        ts: float,
        mac: bytes | None,
    ) -> None:
        if self.summary.locality.kind(ip) != "local":
            return  # evidence is about our own devices, not about servers on the internet
        protocol, kind, fields = found
        self.summary.add_found(
            Observation(
                source=_SOURCE,
                ip=ip,
                port=port,
                transport=transport,
                protocol=protocol,
                kind=kind,
                fields=fields,
                raw=raw,
                mac=None,
                time=to_time(ts),
            )
        )

    def _dhcp(self, data: bytes, ts: float) -> None:
        client = payloads.dhcp_client(data)
        if client is None:
            return
        obs = Observation(
            source=_SOURCE,
            ip=client.requested_ip or "0.0.0.0",  # noqa: S104 — settled from the MAC in finish()
            port=68,
            transport=Transport.UDP,
            protocol="dhcp",
            kind="dhcp.request",
            fields=client.fields,
            raw=data,
            mac=client.mac,
            time=to_time(ts),
        )
        self.summary.add_dhcp(client.mac, client.requested_ip, obs)
