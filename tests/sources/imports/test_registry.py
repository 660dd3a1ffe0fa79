"""The registry (every format module listed), sniffing from content, compression by magic, stdin,
a generated gzip file with corrupt lines, a truncated download and a decompression bomb."""

from __future__ import annotations

import bz2
import gzip
import importlib
import io
import json
import pkgutil
import sys
from pathlib import Path

import pytest
import zstandard

import camaudit.sources.imports as imports
from camaudit.errors import BadImportFile
from camaudit.sources.imports import FORMATS, detect, read_file
from camaudit.sources.passive.inflate import Inflate

from .conftest import DATA, split

SAMPLES = {
    "nmap_dionaea.xml": "nmap_xml",
    "nmap_banner_scripts.xml": "nmap_xml",
    "masscan_many.json": "masscan_json",
    "shodan_host_140.82.121.4.json": "shodan",
    "censys_v2_140.82.121.4.json": "censys",
    "zgrab2_http.json": "zgrab2",
    "zgrab2_https.json": "zgrab2",
    "zmap_output.csv": "zmap_csv",
    "runzero_assets.jsonl": "runzero",
}


def test_every_format_module_is_registered() -> None:
    listed = {f.read.__module__ for f in FORMATS}
    for info in pkgutil.iter_modules(imports.__path__):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"camaudit.sources.imports.{info.name}")
            assert module.__name__ in listed, f"{info.name} has no FORMAT in FORMATS"
    assert len({f.name for f in FORMATS}) == len(FORMATS)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_real_sample_is_recognised_from_its_content(name: str) -> None:
    found = detect((DATA / name).read_bytes()[:65536])
    assert found is not None and found.name == SAMPLES[name]


def test_nessus_sample_recognised_after_gunzip() -> None:
    found = detect(gzip.decompress((DATA / "nessus_many_vuln.xml.gz").read_bytes())[:65536])
    assert found is not None and found.name == "nessus"


@pytest.mark.parametrize("packer", ["gzip", "bzip2", "zstd"])
def test_compressed_by_magic_not_name(tmp_path: Path, packer: str) -> None:
    raw = (DATA / "nmap_dionaea.xml").read_bytes()
    packed = {"gzip": gzip.compress, "bzip2": bz2.compress, "zstd": zstandard.ZstdCompressor().compress}[
        packer
    ](raw)
    path = tmp_path / "scan.txt"  # the name says nothing
    path.write_bytes(packed)
    formats: list[str] = []
    records, problems = split(list(read_file(path, on_format=formats.append)))
    assert formats == [f"nmap_xml+{packer}"]
    assert problems == [] and [r.ip for r in records] == ["172.28.1.3"]


def _banner_lines() -> list[bytes]:
    banners = json.loads((DATA / "shodan_host_140.82.121.4.json").read_text())["data"]
    return [json.dumps(b).encode() for b in banners]


def test_generated_gzip_with_corrupt_lines(tmp_path: Path) -> None:
    """Real banners with garbage between them: each bad line counted with its number, nothing good lost."""
    good = _banner_lines()
    lines = [good[0], b'{"ip_str": "1.2.3.4", "port": ', good[1], b"\xff\xfe not json", b"[1, 2]", *good[2:]]
    path = tmp_path / "download.json.gz"
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    records, problems = split(list(read_file(path)))
    assert len(records) == len(good)
    assert [p.where for p in problems] == ["line 2", "line 4", "line 5"]
    assert not any(p.fatal for p in problems)


@pytest.mark.parametrize("packer", ["gzip", "bzip2", "zstd"])
def test_truncated_download_ends_with_a_warning(tmp_path: Path, packer: str) -> None:
    banners = json.loads((DATA / "shodan_host_140.82.121.4.json").read_text())["data"]
    lines = [
        json.dumps({**b, "hash": n * 7919 + i}).encode() for n in range(300) for i, b in enumerate(banners)
    ]
    text = b"\n".join(lines) + b"\n"  # every line differs, so a cut falls after many whole blocks
    pack = {"gzip": gzip.compress, "bzip2": bz2.compress, "zstd": zstandard.ZstdCompressor().compress}[packer]
    packed = pack(text)
    path = tmp_path / "cut.json.gz"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    records, problems = split(list(read_file(path)))
    assert records, "the records before the cut are read"
    assert problems[-1].fatal and "cut short" in problems[-1].reason


def test_decompression_bomb_is_cut(tmp_path: Path) -> None:
    path = tmp_path / "bomb.gz"
    path.write_bytes(gzip.compress(b"0.0.0.1\n" + b" " * (64 << 20)))
    budget = Inflate(max_bytes=1 << 40, max_ratio=50, grace=1 << 20)
    items = list(read_file(path, budget))
    assert items[-1].fatal and "ratio" in str(items[-1])  # type: ignore[union-attr]


def test_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    data = gzip.compress((DATA / "zgrab2_http.json").read_bytes())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    records, _ = split(list(read_file("-")))
    assert [r.ip for r in records] == ["172.17.0.3"]


def test_unknown_and_empty_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "x").write_bytes(b"hello, world\n")
    (tmp_path / "e.gz").write_bytes(gzip.compress(b""))
    with pytest.raises(BadImportFile, match="not a known scan export"):
        list(read_file(tmp_path / "x"))
    with pytest.raises(BadImportFile, match="empty after gzip"):
        list(read_file(tmp_path / "e.gz"))
    with pytest.raises(BadImportFile, match="cannot read"):
        list(read_file(tmp_path / "missing"))
