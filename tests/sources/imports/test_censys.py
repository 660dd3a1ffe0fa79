"""Censys: real v2 host views published with common-osint-model (MIT)."""

from __future__ import annotations

import json
from pathlib import Path

from camaudit.sources.imports import read_file

from .conftest import DATA, kinds, split

VIEW = DATA / "censys_v2_140.82.121.4.json"


def test_host_view() -> None:
    (host,), problems = split(list(read_file(VIEW)))
    assert problems == []
    seen = kinds(host)
    assert seen[(443, "http.response")]["http.header.location"] == "https://github.com/"
    assert "github.com" in seen[(443, "tls.certificate")]["tls.subject"]
    assert seen[(22, "tcp.banner")]["tcp.banner"] == "SSH-2.0-babeld-322814ef"
    assert host.meta == {"country": "US", "asn": "AS36459", "org": "GITHUB"}


def test_envelope_and_export_lines(tmp_path: Path) -> None:
    host = json.loads(VIEW.read_text())
    path = tmp_path / "export.jsonl"
    path.write_text(
        json.dumps({"code": 200, "status": "OK", "result": host}) + "\n" + json.dumps(host) + "\n"
    )
    records, problems = split(list(read_file(path)))
    assert problems == [] and [r.ip for r in records] == ["140.82.121.4"] * 2
