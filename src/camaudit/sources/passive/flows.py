"""NetFlow / IPFIX CSV exports with the usual column names.

Recognised spellings (case-insensitive): nfdump's `-o csv` (sa, da, sp, dp, pr, ipkt, ibyt, opkt,
obyt, ts, te), IPFIX information element names (RFC 7012 / IANA registry: sourceIPv4Address,
destinationTransportPort, protocolIdentifier, packetDeltaCount, octetDeltaCount,
flowStartMilliseconds …), NetFlow v9 field names (IPV4_SRC_ADDR, L4_DST_PORT, IN_BYTES,
IN_PKTS, FIRST_SWITCHED …) and plain ones (src_ip, dst_port, bytes, packets, start, end).
A flow record is one direction; `opkt`/`obyt`/`out_bytes` columns, where present, are the reverse.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

from camaudit.errors import BadImportFile
from camaudit.sources.passive.summary import TrafficSummary
from camaudit.sources.passive.textlog import lines, parse_int, parse_time

ALIASES: dict[str, tuple[str, ...]] = {
    "src": (
        "sa",
        "srcaddr",
        "src_ip",
        "srcip",
        "src_addr",
        "source",
        "sourceipv4address",
        "sourceipv6address",
        "ipv4_src_addr",
        "ipv6_src_addr",
    ),
    "dst": (
        "da",
        "dstaddr",
        "dst_ip",
        "dstip",
        "dst_addr",
        "destination",
        "destinationipv4address",
        "destinationipv6address",
        "ipv4_dst_addr",
        "ipv6_dst_addr",
    ),
    "sport": ("sp", "srcport", "src_port", "sport", "sourcetransportport", "l4_src_port"),
    "dport": ("dp", "dstport", "dst_port", "dport", "destinationtransportport", "l4_dst_port"),
    "proto": ("pr", "proto", "protocol", "protocolidentifier"),
    "packets": ("ipkt", "pkts", "packets", "packetdeltacount", "packettotalcount", "in_pkts"),
    "bytes": ("ibyt", "bytes", "octets", "octetdeltacount", "octettotalcount", "in_bytes"),
    "rpackets": ("opkt", "out_pkts", "reversepacketdeltacount"),
    "rbytes": ("obyt", "out_bytes", "reverseoctetdeltacount"),
    "first": ("ts", "first", "start", "stime", "flowstartmilliseconds", "flowstartseconds", "first_switched"),
    "last": ("te", "last", "end", "ltime", "flowendmilliseconds", "flowendseconds", "last_switched"),
}
REQUIRED = ("src", "dst", "bytes")
_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
MAX_COLUMNS = 256


def columns(header: Sequence[str]) -> dict[str, int]:
    """Our role -> column index, from a header row; the first matching spelling wins."""
    index = {name.strip().lower(): i for i, name in enumerate(header)}
    found: dict[str, int] = {}
    for role, spellings in ALIASES.items():
        for spelling in spellings:
            if spelling in index:
                found[role] = index[spelling]
                break
    return found


def looks_like_flows(first: str) -> bool:
    try:
        header = next(csv.reader([first]))
    except (csv.Error, StopIteration):
        return False
    return all(role in columns(header) for role in REQUIRED)


def read_flows(path: Path, summary: TrafficSummary) -> None:
    """Feed one flow CSV into `summary`; a bad row is a counted warning naming its line."""
    summary.files += 1
    roles: dict[str, int] | None = None
    for number, line in lines(path, summary):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            row = next(csv.reader([line]))
        except (csv.Error, StopIteration):
            row = []
        if roles is None:
            roles = columns(row[:MAX_COLUMNS])
            missing = [r for r in REQUIRED if r not in roles]
            if missing:
                raise BadImportFile(f"{path}: line {number}: flow CSV lacks columns for {', '.join(missing)}")
            continue
        if line.startswith(("Summary", "flows,", "Sys:")):  # nfdump's trailer
            break
        _row(path, number, row, roles, summary)


def _row(
    path: Path, number: int, row: Sequence[str], roles: Mapping[str, int], summary: TrafficSummary
) -> None:
    def get(role: str) -> str:
        i = roles.get(role)
        return row[i] if i is not None and i < len(row) else ""

    nbytes = parse_int(get("bytes"))
    src, dst = get("src").strip(), get("dst").strip()
    if nbytes is None or not src or not dst:
        summary.skipped += 1
        summary.warn(str(path), f"line {number}", "flow row without addresses or a byte count")
        return
    summary.records += 1
    proto = get("proto").strip().lower()
    proto = _PROTOCOLS.get(proto, proto or "ip")
    first = parse_time(get("first")) or 0.0
    last = parse_time(get("last")) or first
    sport, dport = parse_int(get("sport")) or 0, parse_int(get("dport")) or 0
    summary.add_flow(src, dst, proto, sport, dport, parse_int(get("packets")) or 0, nbytes, first, last)
    rbytes = parse_int(get("rbytes")) or 0
    if rbytes:
        summary.add_flow(dst, src, proto, dport, sport, parse_int(get("rpackets")) or 0, rbytes, first, last)
