"""CSV, JSON and Parquet outputs carry the counts, the units and the method."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from camaudit.census import CensusResult
from camaudit.census.output import as_json, csv_text, write_parquet
from camaudit.census.rollup import Table


def _result() -> CensusResult:
    table = Table(("country", "org"))
    table.rows = [{"country": "GB", "org": '=HYPERLINK("x")', "banners": 3, "addresses": 2, "devices": 1}]
    table.totals = {"banners": 3, "addresses": 2, "devices": 1}
    return CensusResult(
        table, ("a.json",), records=3, skipped=1, method="Record set: files: a.json\nLimits: NAT"
    )


def test_json_shape() -> None:
    data: dict[str, Any] = as_json(_result())
    assert list(data) == ["by", "rows", "totals", "skipped", "method"]
    assert data["by"] == ["country", "org"] and data["rows"][0]["devices"] == 1 and data["skipped"] == 1


def test_csv_method_first_and_formulas_defused() -> None:
    text = csv_text(_result())
    assert text.startswith("# Record set: files: a.json\n# Limits: NAT\n")
    rows = list(
        csv.reader(io.StringIO("".join(x + "\n" for x in text.splitlines() if not x.startswith("#"))))
    )
    assert rows[0] == ["country", "org", "banners", "addresses", "devices"]
    assert rows[1][1].startswith("'=")
    assert rows[-1] == ["total", "", "3", "2", "1"]


def test_parquet(tmp_path: Path) -> None:
    write_parquet(_result(), str(tmp_path / "c.parquet"))
    table = pq.read_table(tmp_path / "c.parquet")
    assert table.column("banners").to_pylist() == [3]
    assert b"Limits: NAT" in table.schema.metadata[b"camaudit.method"]
