"""ZMap CSV: the real output.csv in ZMap's repository, and the default one-address-per-line output."""

from __future__ import annotations

import io

from camaudit.sources.imports import detect, read_file, zmap

from .conftest import DATA, split


def test_csv_with_header() -> None:
    records, problems = split(list(read_file(DATA / "zmap_output.csv")))
    assert problems == []
    assert [r.ip for r in records][:2] == ["130.64.0.129", "188.128.162.33"]
    assert all(r.observations == () for r in records)  # no port column: only the addresses


def test_default_output_and_sport() -> None:
    plain = b"10.0.0.1\n10.0.0.2\n"
    assert detect(plain) is zmap.FORMAT
    assert [r.ip for r in split(list(zmap.read(io.BufferedReader(io.BytesIO(plain)))))[0]] == [
        "10.0.0.1",
        "10.0.0.2",
    ]
    csv = b"saddr,sport,classification,success\n10.0.0.3,554,synack,1\n10.0.0.4,554,rst,0\nnot-an-ip,1,x,1\n"
    records, problems = split(list(zmap.read(io.BufferedReader(io.BytesIO(csv)))))
    assert records[0].ports == (554,) and records[1].ports == ()
    assert problems[0].where == "line 4"
