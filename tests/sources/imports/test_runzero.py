"""runZero: an asset from the runZero integration's test data in demisto/content (MIT), as one JSON line."""

from __future__ import annotations

import json
from pathlib import Path

from camaudit.sources.imports import read_file

from .conftest import DATA, kinds, split

ASSETS = DATA / "runzero_assets.jsonl"


def test_asset() -> None:
    (asset,), problems = split(list(read_file(ASSETS)))
    assert problems == []
    seen = kinds(asset)
    assert asset.ip == "192.168.1.91"
    assert seen[(None, "neighbour")]["import.mac_vendor"] == "VMware, Inc."
    assert seen[(9090, "http.response")]["http.status"] == "301"
    assert seen[(9090, "tls.certificate")]["tls.subject.cn"] == "RHEL85.localdomain"
    assert seen[(22, "tcp.banner")]["tcp.banner"] == "SSH-2.0-OpenSSH_8.0"
    claims = [o.fields for o in asset.observations if o.kind == "import.claim" and o.port is None]
    assert claims[0]["import.os"] == "Red Hat Enterprise Linux"


def test_json_array_export(tmp_path: Path) -> None:
    asset = json.loads(ASSETS.read_text())
    path = tmp_path / "assets.json"
    path.write_text(json.dumps([asset, {"addresses": []}], indent=2))
    records, problems = split(list(read_file(path)))
    assert [r.ip for r in records] == ["192.168.1.91"]
    assert problems[0].where == "record 2"
