"""Decompression bombs (issue 13, item 7): a gzip input is cut at its ratio or size budget, what was read
before the cut counts, and a warning says what was cut and which option raises the limit."""

from __future__ import annotations

import gzip
import random
import struct
import time
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from camaudit.cli import _register, cli
from camaudit.sources.passive.files import read_traffic
from camaudit.sources.passive.inflate import Inflate, InflateLimit, open_bounded

PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def _bomb(path: Path, head: bytes, inflated: int) -> Path:
    """`head` then `inflated` zero bytes, gzip-compressed in a streaming way (about 1000:1)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    chunk = bytes(1 << 20)
    with path.open("wb") as out:
        out.write(packer.compress(head))
        for _ in range(inflated >> 20):
            out.write(packer.compress(chunk))
        out.write(packer.flush())
    return path


def test_a_bomb_stops_at_the_ratio_with_a_message(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "zeros.gz", b"", 64 << 20)
    limit = pytest.raises(InflateLimit, match=r"ratio above 200 .*--max-inflate-ratio")
    with bomb.open("rb") as handle, open_bounded(bomb, handle, Inflate(grace=1 << 20)) as unpacked, limit:
        while unpacked.read(65536):
            pass


def test_the_size_budget_applies_to_honest_files_too(tmp_path: Path) -> None:
    data = random.Random(13).randbytes(10 << 20)  # 10 MB that does not compress: the ratio never trips
    packed = tmp_path / "honest.gz"
    packed.write_bytes(gzip.compress(data))
    limit = pytest.raises(InflateLimit, match="--max-inflated 4 MiB")
    with (
        packed.open("rb") as handle,
        open_bounded(packed, handle, Inflate(max_bytes=4 << 20)) as small,
        limit,
    ):
        small.read()
    with packed.open("rb") as handle, open_bounded(packed, handle) as unpacked:
        assert unpacked.read() == data


def test_a_read_of_everything_is_checked_in_steps(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "zeros.gz", b"", 64 << 20)
    with bomb.open("rb") as handle, open_bounded(bomb, handle, Inflate(grace=1 << 20)) as unpacked:
        with pytest.raises(InflateLimit):
            unpacked.read()  # -1: never one 64 MB inflation before the first check
        with pytest.raises(InflateLimit):
            unpacked.readline()


def test_a_pcap_bomb_is_cut_quickly_and_counts_what_came_before(tmp_path: Path) -> None:
    record = struct.pack("<IIII", 1_700_000_000, 0, 4, 4) + b"\x02\x00\x00\x00"  # one tiny loopback frame
    bomb = _bomb(tmp_path / "capture.pcap.gz", PCAP_HEADER + record, 256 << 20)
    start = time.monotonic()
    traffic, kinds = read_traffic([bomb], inflate=Inflate(grace=1 << 20))
    assert time.monotonic() - start < 30
    assert kinds == {str(bomb): "pcap"}
    cut = [w for w in traffic.counts.warnings if "decompression bomb" in w.message]
    assert len(cut) == 1 and "the rest was not read" in cut[0].message


def test_a_zeek_log_bomb_is_cut_too(tmp_path: Path) -> None:
    head = b"#separator \\x09\n#path\tconn\n#fields\tts\tuid\tid.orig_h\n"
    bomb = _bomb(tmp_path / "conn.log.gz", head, 64 << 20)
    traffic, _ = read_traffic([bomb], inflate=Inflate(grace=1 << 20))
    assert any("decompression bomb" in w.message for w in traffic.counts.warnings)


def test_the_traffic_command_says_what_was_cut_and_how_to_raise_it(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "capture.pcap.gz", PCAP_HEADER, 1024 << 20)  # 1 MB that inflates to 1 GB
    assert bomb.stat().st_size < 2 << 20
    _register()
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["traffic", str(bomb), "--no-db"])
    assert result.exit_code == 0, result.stderr
    assert time.monotonic() - start < 30  # before: minutes, CPU-bound
    assert "decompression bomb" in result.stderr and "--max-inflate-ratio" in result.stderr
