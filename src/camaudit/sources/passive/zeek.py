"""Zeek conn, dns, http and ssl logs, in Zeek's TSV form (`#fields` header) and its JSON form.

Column names are Zeek's documented ones (docs.zeek.org, "Log Files": conn.log, dns.log, http.log,
ssl.log). Byte counts come from `orig_ip_bytes`/`resp_ip_bytes` (IP-level, as the pcap reader
counts) and fall back to the payload counts `orig_bytes`/`resp_bytes`. Unknown columns are
ignored with one counted warning per file; a record missing what its log needs is skipped and
counted; every other record is still read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

from camaudit.model import Observation, Transport
from camaudit.sources.passive.summary import TrafficSummary, to_time
from camaudit.sources.passive.textlog import lines, parse_int, parse_time
from camaudit.values import is_address

SOURCE = "zeek"
COLUMNS: dict[str, frozenset[str]] = {
    "conn": frozenset(
        {
            "ts",
            "uid",
            "id.orig_h",
            "id.orig_p",
            "id.resp_h",
            "id.resp_p",
            "proto",
            "service",
            "duration",
            "orig_bytes",
            "resp_bytes",
            "conn_state",
            "local_orig",
            "local_resp",
            "missed_bytes",
            "history",
            "orig_pkts",
            "orig_ip_bytes",
            "resp_pkts",
            "resp_ip_bytes",
            "tunnel_parents",
            "orig_l2_addr",
            "resp_l2_addr",
            "vlan",
            "inner_vlan",
            "community_id",
            "ip_proto",
        }
    ),
    "dns": frozenset(
        {
            "ts",
            "uid",
            "id.orig_h",
            "id.orig_p",
            "id.resp_h",
            "id.resp_p",
            "proto",
            "trans_id",
            "rtt",
            "query",
            "qclass",
            "qclass_name",
            "qtype",
            "qtype_name",
            "rcode",
            "rcode_name",
            "AA",
            "TC",
            "RD",
            "RA",
            "Z",
            "answers",
            "TTLs",
            "rejected",
        }
    ),
    "http": frozenset(
        {
            "ts",
            "uid",
            "id.orig_h",
            "id.orig_p",
            "id.resp_h",
            "id.resp_p",
            "trans_depth",
            "method",
            "host",
            "uri",
            "referrer",
            "version",
            "user_agent",
            "origin",
            "request_body_len",
            "response_body_len",
            "status_code",
            "status_msg",
            "info_code",
            "info_msg",
            "tags",
            "username",
            "password",
            "proxied",
            "orig_fuids",
            "orig_filenames",
            "orig_mime_types",
            "resp_fuids",
            "resp_filenames",
            "resp_mime_types",
            "server",
        }
    ),
    "ssl": frozenset(
        {
            "ts",
            "uid",
            "id.orig_h",
            "id.orig_p",
            "id.resp_h",
            "id.resp_p",
            "version",
            "cipher",
            "curve",
            "server_name",
            "resumed",
            "last_alert",
            "next_protocol",
            "established",
            "ssl_history",
            "cert_chain_fps",
            "client_cert_chain_fps",
            "subject",
            "issuer",
            "client_subject",
            "client_issuer",
            "sni_matches_cert",
            "validation_status",
            "ja3",
            "ja3s",
        }
    ),
}
REQUIRED = {
    "conn": ("id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto"),
    "dns": ("id.orig_h", "query"),
    "http": ("id.resp_h", "host"),
    "ssl": ("id.resp_h",),
}
Record = Mapping[str, object]


def looks_like_zeek(first: str) -> bool:
    return first.startswith("#separator") or (first.startswith("{") and '"id.orig_h"' in first)


def read_zeek(path: Path, summary: TrafficSummary) -> None:
    """Feed one Zeek log (any of the four kinds, TSV or JSON) into `summary`."""
    summary.files += 1
    state = _Tsv()
    warned: set[str] = set()
    for number, line in lines(path, summary):
        if not line:
            continue
        if line.startswith("#"):
            problem = state.directive(line)
            if problem:
                summary.warn(str(path), f"line {number}", problem)
            continue
        record = _json(line) if line.startswith("{") else state.record(line)
        if record is None:
            summary.skipped += 1
            summary.warn(str(path), f"line {number}", "not a Zeek record (no #fields header, or bad JSON)")
            continue
        summary.records += 1
        _one(path, number, record, state.path, summary, warned)


class _Tsv:
    """The TSV header directives in force (Zeek may concatenate logs, each with its own header)."""

    def __init__(self) -> None:
        self.separator, self.set_separator, self.unset, self.empty = "\t", ",", "-", "(empty)"
        self.fields: list[str] | None = None
        self.path: str | None = None

    def directive(self, line: str) -> str | None:
        """Apply one header line; a problem with it is returned (the directive in force stays)."""
        key, _, value = line[1:].partition(self.separator if not line.startswith("#separator") else " ")
        if key == "separator":
            try:
                separator = value.encode("latin-1").decode("unicode_escape") if value else "\t"
            except UnicodeError:  # not Latin-1, or a broken escape such as `\x0`
                separator = ""
            if not separator:
                return "bad #separator (kept the one before)"
            self.separator = separator
        elif key == "set_separator":
            self.set_separator = value
        elif key == "unset_field":
            self.unset = value
        elif key == "empty_field":
            self.empty = value
        elif key == "path":
            self.path = value
        elif key == "fields":
            self.fields = value.split(self.separator)
        return None

    def record(self, line: str) -> Record | None:
        if self.fields is None:
            return None
        values = line.split(self.separator)
        if len(values) != len(self.fields):
            return None
        out: dict[str, object] = {}
        for name, value in zip(self.fields, values, strict=True):
            if value == self.unset:
                continue
            out[name] = [] if value == self.empty else value
            if name in ("answers", "TTLs") and value not in (self.unset, self.empty):
                out[name] = value.split(self.set_separator)
        return out


def _json(line: str) -> Record | None:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _kind(record: Record, declared: str | None) -> str | None:
    path = declared or (record.get("_path") if isinstance(record.get("_path"), str) else None)
    if path in COLUMNS:
        return str(path)
    for kind, key in (("dns", "query"), ("ssl", "server_name"), ("http", "method"), ("conn", "conn_state")):
        if key in record:
            return kind
    return None


def _one(
    path: Path, number: int, record: Record, declared: str | None, summary: TrafficSummary, warned: set[str]
) -> None:
    kind = _kind(record, declared)
    if kind is None or any(k not in record for k in REQUIRED[kind]):
        summary.skipped += 1
        summary.warn(str(path), f"line {number}", f"record lacks the columns a {kind or 'Zeek'} log needs")
        return
    unknown = sorted(set(record) - COLUMNS[kind] - {"_path", "_write_ts"} - warned)
    if unknown:
        warned.update(unknown)
        summary.warn(
            str(path), f"line {number}", f"unknown Zeek {kind} columns ignored: {', '.join(unknown)}"
        )
    try:
        _HANDLERS[kind](record, summary)
    except (TypeError, ValueError, AttributeError) as exc:
        summary.skipped += 1
        summary.warn(str(path), f"line {number}", f"bad {kind} record: {exc}"[:200])


def _text(record: Record, key: str) -> str:
    value = record.get(key)
    return "" if value is None else str(value)


def _conn(record: Record, summary: TrafficSummary) -> None:
    start = parse_time(_text(record, "ts")) or 0.0
    end = start + (parse_time(_text(record, "duration")) or 0.0)
    proto = _text(record, "proto").lower()
    orig, resp = _text(record, "id.orig_h"), _text(record, "id.resp_h")
    sport, dport = int(_text(record, "id.orig_p")), int(_text(record, "id.resp_p"))
    up = _count(record, "orig_ip_bytes", "orig_bytes")
    down = _count(record, "resp_ip_bytes", "resp_bytes")
    up_pkts, down_pkts = (
        parse_int(_text(record, "orig_pkts")) or 0,
        parse_int(_text(record, "resp_pkts")) or 0,
    )
    summary.add_flow(orig, resp, proto, sport, dport, up_pkts, up, start, end)
    if down or down_pkts:
        summary.add_flow(resp, orig, proto, dport, sport, down_pkts, down, start, end)


def _count(record: Record, first: str, second: str) -> int:
    return parse_int(_text(record, first)) or parse_int(_text(record, second)) or 0


def _dns(record: Record, summary: TrafficSummary) -> None:
    answers = record.get("answers") or []
    addresses = (
        [a for a in answers if isinstance(a, str) and is_address(a)] if isinstance(answers, list) else []
    )
    name = _text(record, "query").strip().rstrip(".").lower()
    if name:
        summary.add_dns(_text(record, "id.orig_h"), name, addresses[:64])


def _http(record: Record, summary: TrafficSummary) -> None:
    host = _text(record, "host").strip().lower().rsplit(":", 1)[0]
    if host and not is_address(host):
        summary.add_name(_text(record, "id.resp_h"), host, "http-host")


def _ssl(record: Record, summary: TrafficSummary) -> None:
    server = _text(record, "id.resp_h")
    name = _text(record, "server_name").strip().lower()
    if name:
        summary.add_name(server, name, "sni")
    subject, issuer = _text(record, "subject"), _text(record, "issuer")
    if subject and summary.locality.kind(server) == "local":
        fields = {"tls.subject": subject, **({"tls.issuer": issuer} if issuer else {})}
        summary.add_found(
            Observation(
                source=SOURCE,
                ip=server,
                port=int(_text(record, "id.resp_p")),
                transport=Transport.TCP,
                protocol="tls",
                kind="tls.certificate",
                fields=fields,
                time=to_time(parse_time(_text(record, "ts")) or 0.0),
            )
        )


_HANDLERS: dict[str, Callable[[Record, TrafficSummary], None]] = {
    "conn": _conn,
    "dns": _dns,
    "http": _http,
    "ssl": _ssl,
}
