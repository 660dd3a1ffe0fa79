"""Zeek logs in their documented TSV and JSON forms (docs.zeek.org "Log Files"), written in the test."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from camaudit.sources.passive.summary import Traffic, TrafficSummary
from camaudit.sources.passive.zeek import read_zeek

CONN_FIELDS = [
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
]
CONN_TYPES = [
    "time",
    "string",
    "addr",
    "port",
    "addr",
    "port",
    "enum",
    "string",
    "interval",
    "count",
    "count",
    "string",
    "bool",
    "bool",
    "count",
    "string",
    "count",
    "count",
    "count",
    "count",
    "set[string]",
]


def _tsv(path: Path, log: str, fields: list[str], types: list[str], rows: list[list[str]]) -> Path:
    head = [
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        f"#path\t{log}",
        "#open\t2023-11-14-22-13-20",
        "#fields\t" + "\t".join(fields),
        "#types\t" + "\t".join(types),
    ]
    body = ["\t".join(r) for r in rows]
    path.write_text("\n".join([*head, *body, "#close\t2023-11-14-23-00-00"]) + "\n")
    return path


def _conn_row(
    orig: str, oport: int, resp: str, rport: int, proto: str, up: int, down: int, pkts: tuple[int, int]
) -> list[str]:
    return [
        "1700000000.500000",
        "CAbc12",
        orig,
        str(oport),
        resp,
        str(rport),
        proto,
        "-",
        "2.000000",
        "0",
        "0",
        "SF",
        "T",
        "F",
        "0",
        "Dd",
        str(pkts[0]),
        str(up),
        str(pkts[1]),
        str(down),
        "(empty)",
    ]


def _read(*paths: Path) -> Traffic:
    summary = TrafficSummary()
    for p in paths:
        read_zeek(p, summary)
    return summary.finish()


def test_conn_and_dns_tsv(tmp_path: Path) -> None:
    conn = _tsv(
        tmp_path / "conn.log",
        "conn",
        CONN_FIELDS,
        CONN_TYPES,
        [
            _conn_row("192.168.1.30", 40200, "198.51.100.80", 8800, "udp", 69, 56, (1, 1)),
            _conn_row("192.168.1.20", 40100, "203.0.113.10", 8666, "tcp", 720, 280, (3, 2)),
            _conn_row("192.168.1.20", 40100, "192.168.1.1", 53, "udp", 60, 90, (1, 1)),  # local: not egress
        ],
    )
    dns = _tsv(
        tmp_path / "dns.log",
        "dns",
        [
            "ts",
            "uid",
            "id.orig_h",
            "id.orig_p",
            "id.resp_h",
            "id.resp_p",
            "proto",
            "query",
            "answers",
            "TTLs",
        ],
        [
            "time",
            "string",
            "addr",
            "port",
            "addr",
            "port",
            "enum",
            "string",
            "vector[string]",
            "vector[interval]",
        ],
        [
            [
                "1700000000.1",
                "C1",
                "192.168.1.20",
                "40001",
                "192.168.1.1",
                "53",
                "udp",
                "litedev.ezvizlife.com",
                "litedev-lb.ezvizlife.com,203.0.113.10",
                "60.0,60.0",
            ],
            [
                "1700000000.2",
                "C2",
                "192.168.1.30",
                "40004",
                "192.168.1.1",
                "53",
                "udp",
                "www.imoulife.com",
                "-",
                "-",
            ],
        ],
    )
    traffic = _read(dns, conn)
    got = {
        (d.local, d.remote): (d.packets_up, d.bytes_up, d.packets_down, d.bytes_down, d.ports, d.names)
        for d in traffic.destinations
    }
    assert got == {
        ("192.168.1.20", "203.0.113.10"): (
            3,
            720,
            2,
            280,
            ("tcp/8666",),
            (("litedev.ezvizlife.com", "dns"),),
        ),
        ("192.168.1.30", "198.51.100.80"): (1, 69, 1, 56, ("udp/8800",), ()),
    }
    assert traffic.lookups == {
        "192.168.1.20": ("litedev.ezvizlife.com",),
        "192.168.1.30": ("www.imoulife.com",),
    }
    assert (traffic.counts.records, traffic.counts.skipped, traffic.counts.warnings) == (5, 0, ())
    first = next(d for d in traffic.destinations if d.remote == "203.0.113.10")
    assert (first.last - first.first).total_seconds() == 2.0


def test_json_logs_http_ssl_and_unknown_columns(tmp_path: Path) -> None:
    lines = [
        {
            "_path": "http",
            "ts": 1700000000.0,
            "uid": "C3",
            "id.orig_h": "192.168.1.30",
            "id.orig_p": 40300,
            "id.resp_h": "198.51.100.90",
            "id.resp_p": 80,
            "method": "GET",
            "host": "openapi.easy4ip.com",
            "uri": "/",
            "x_custom": "1",
        },
        {
            "ts": 1700000001.0,
            "uid": "C4",
            "id.orig_h": "192.168.1.20",
            "id.orig_p": 40301,
            "id.resp_h": "203.0.113.12",
            "id.resp_p": 443,
            "version": "TLSv12",
            "server_name": "dev.hik-connect.com",
            "established": True,
        },
        {
            "ts": 1700000002.0,
            "uid": "C5",
            "id.orig_h": "192.168.1.50",
            "id.orig_p": 50000,
            "id.resp_h": "192.168.1.20",
            "id.resp_p": 443,
            "server_name": "192.168.1.20",
            "subject": "CN=DS-2CD2042WD-I,O=Hikvision",
            "issuer": "CN=DS-2CD2042WD-I,O=Hikvision",
        },
    ]
    path = tmp_path / "mixed.json.gz"  # gzip found by its magic
    path.write_bytes(gzip.compress(("\n".join(json.dumps(r) for r in lines) + "\n{broken\n").encode()))
    traffic = _read(path)
    assert traffic.counts.records == 3 and traffic.counts.skipped == 1
    warnings = [(w.where, w.message) for w in traffic.counts.warnings]
    assert ("line 1", "unknown Zeek http columns ignored: x_custom") in warnings
    assert ("line 4", "not a Zeek record (no #fields header, or bad JSON)") in warnings
    (cert,) = traffic.observations
    assert (cert.ip, cert.port, cert.source, cert.kind) == ("192.168.1.20", 443, "zeek", "tls.certificate")
    assert cert.fields["tls.subject"] == "CN=DS-2CD2042WD-I,O=Hikvision"


def test_bad_rows_are_counted_and_later_rows_still_read(tmp_path: Path) -> None:
    good = _conn_row("192.168.1.20", 40100, "203.0.113.10", 8666, "tcp", 100, 0, (1, 0))
    path = _tsv(tmp_path / "conn.log", "conn", CONN_FIELDS, CONN_TYPES, [good, ["too", "few"], good])
    traffic = _read(path)
    assert (traffic.counts.records, traffic.counts.skipped) == (2, 1)
    assert traffic.counts.warnings[0].where == "line 10"
    assert traffic.destinations[0].bytes_up == 200


@pytest.mark.parametrize("separator", ["\\x0", "\\x", "\\u12", "\\", "\\N{nope}", "\u0100"])
def test_a_bad_separator_directive_is_a_warning_and_the_tab_stays(tmp_path: Path, separator: str) -> None:
    # fuzz/corpus/zeek/crash-0d6f55…: `#separator \x0` raised UnicodeDecodeError out of the reader.
    good = _conn_row("192.168.1.20", 40100, "203.0.113.10", 8666, "tcp", 100, 0, (1, 0))
    path = _tsv(tmp_path / "conn.log", "conn", CONN_FIELDS, CONN_TYPES, [good])
    path.write_text(f"#separator {separator}\n" + path.read_text(), encoding="utf-8")
    traffic = _read(path)
    assert traffic.counts.records == 1
    assert ("line 1", "bad #separator (kept the one before)") in [
        (w.where, w.message) for w in traffic.counts.warnings
    ]
