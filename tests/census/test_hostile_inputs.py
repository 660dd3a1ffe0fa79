"""Inputs a census meets that are not plain files: a FIFO (``census <(zcat x.json.gz)``) was opened twice,
once to sniff its head and once to read it, so the second open waited for a writer that had gone and the
census hung for ever; it is now read once, as standard input is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from tests.hostile import SHODAN_BANNER

RECORD = SHODAN_BANNER


def _feed(fifo: Path, data: bytes) -> threading.Thread:
    def write() -> None:
        try:
            with open(fifo, "wb") as stream:  # waits for the census to open it
                stream.write(data)
        except BrokenPipeError:
            pass

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("fmt", ["shodan", "masscan_list"])
def test_census_of_a_fifo_reads_it_once_and_ends(tmp_path: Path, fmt: str) -> None:
    fifo = tmp_path / "scan.fifo"
    os.mkfifo(fifo)
    if fmt == "shodan":
        data = "".join(json.dumps(RECORD | {"ip_str": f"127.0.0.{i}"}) + "\n" for i in range(1, 4)).encode()
    else:
        data = b"".join(b"open tcp 80 127.0.0.%d 1700000000\n" % i for i in range(1, 4))
    writer = _feed(fifo, data)
    command = [sys.executable, "-m", "camaudit", "census", str(fifo), "--by", "country", "--json", "-"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    except subprocess.TimeoutExpired:
        with open(fifo, "wb"):  # let the writer thread go (and the census, were it still there)
            pass
        pytest.fail("the census of a FIFO did not end")
    writer.join(5)
    assert done.returncode == 0, done.stderr
    counted = json.loads(done.stdout)
    assert counted["totals"]["banners"] == 3
    assert counted["skipped"] == 0


@pytest.mark.parametrize("shard_bytes", [None, 2000], ids=["whole file", "byte ranges"])
@pytest.mark.parametrize("fmt", ["shodan", "masscan_list"])
def test_census_skips_a_record_whose_address_is_no_ip_address_as_import_does(
    tmp_path: Path, fmt: str, shard_bytes: int | None
) -> None:
    """The Shodan fast path and the byte ranges read the formats directly: they counted 'evil.example'
    as an address where `camaudit import` calls it a problem."""
    from camaudit.census import run_census
    from camaudit.sources.imports import ImportProblem, read_file

    addresses = ["127.0.0.1", "evil.example", "127.0.0.2", "x\u202e", "127.0.0.3", "01.2.3.4"] * 40
    path = tmp_path / "scan.txt"
    if fmt == "shodan":
        lines = [json.dumps(RECORD | {"ip_str": ip}) for ip in addresses]
    else:
        lines = [f"open tcp 80 {ip} 1700000000" for ip in addresses]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    imported = list(read_file(path))
    problems = sum(isinstance(i, ImportProblem) for i in imported)
    assert problems == 120
    counted = run_census([str(path)], ("country",), shard_bytes=shard_bytes, workers=1)
    assert (counted.records, counted.skipped) == (len(imported) - problems, problems)
    assert counted.table.totals["addresses"] == 3
