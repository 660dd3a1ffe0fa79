"""Shodan: a real host view published with common-osint-model (MIT), and its banners as JSON lines."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from camaudit.sources.imports import read_file

from .conftest import DATA, kinds, split

HOST = DATA / "shodan_host_140.82.121.4.json"


def test_host_view_banners() -> None:
    records, problems = split(list(read_file(HOST)))
    assert problems == []
    assert sorted(p for r in records for p in r.ports) == [22, 80, 443, 9418]
    https = next(r for r in records if 443 in r.ports)
    seen = kinds(https)
    assert seen[(443, "http.response")]["http.status"] == "301"
    assert "github.com" in seen[(443, "tls.certificate")]["tls.subject"]
    assert https.meta["country"] == "DE" and https.meta["asn"] == "AS36459"
    assert https.time is not None


def test_download_file_json_lines_gzip(tmp_path: Path) -> None:
    """What `shodan download` writes: one banner per line, gzip-compressed."""
    banners = json.loads(HOST.read_text())["data"]
    path = tmp_path / "download.json.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(b) + "\n" for b in banners).encode()))
    formats: list[str] = []
    records, problems = split(list(read_file(path, on_format=formats.append)))
    assert formats == ["shodan+gzip"]
    assert problems == [] and len(records) == len(banners)
    ssh = next(r for r in records if 22 in r.ports)
    assert kinds(ssh)[(22, "tcp.banner")]["tcp.banner"].startswith("SSH-2.0-")
