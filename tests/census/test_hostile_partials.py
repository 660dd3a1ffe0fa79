"""Partial files of earlier runs (`census --add-partials`) may come from another person: their strings went
into the CSV with their controls raw (``ESC]0;…BEL`` for whoever `cat`s it), and metadata or columns of
another shape ended the census in a traceback (AttributeError, TypeError, a DuckDB binder error)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from tests.hostile import RAW_CONTROL, SHODAN_BANNER, TERMINAL_ATTACK

from camaudit.census import run_census
from camaudit.cli import _register, cli

RECORD = {**SHODAN_BANNER, "location": {"country_code": "GB"}, "org": "Loopback Ltd"}


def _partial(tmp_path: Path) -> Path:
    scan = tmp_path / "scan.json"
    scan.write_text(json.dumps(RECORD) + "\n", encoding="utf-8")
    run_census([str(scan)], ("country",), partials_dir=str(tmp_path / "parts"), workers=1)
    [found] = (tmp_path / "parts").glob("*.parquet")
    return found


def _rewrite(source: Path, target: Path, meta: bytes | None = None, text: str | None = None) -> Path:
    table = pq.read_table(source)
    if text is not None:
        table = pa.table(
            [pa.array([text] * len(table)) if f.type == pa.string() else table[f.name] for f in table.schema],
            schema=table.schema,
        )
    found = pq.read_metadata(source).metadata or {}
    with pq.ParquetWriter(target, table.schema) as writer:
        writer.write_table(table)
        writer.add_key_value_metadata({b"camaudit.partial": meta or found[b"camaudit.partial"]})
    return target


def _run(args: list[str]) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(cli, args, color=True)
    return result.exit_code, result.stdout + result.stderr


def test_strings_of_a_hostile_partial_reach_the_csv_escaped(tmp_path: Path) -> None:
    source = _partial(tmp_path)
    meta = json.dumps({"records": 1, "problems": [f"line 1: {TERMINAL_ATTACK}"]}).encode()
    hostile = _rewrite(source, tmp_path / "theirs.parquet", meta, text=f"=cmd|calc{TERMINAL_ATTACK}")
    out_csv = tmp_path / "counts.csv"
    code, output = _run(
        ["census", "--add-partials", str(hostile), "--by", "country,org", "--csv", str(out_csv)]
    )
    assert code == 0, output
    assert not RAW_CONTROL.search(output)
    text = out_csv.read_text(encoding="utf-8")
    assert not RAW_CONTROL.search(text)
    assert "'=cmd|calc\\x1b]0;owned\\x07" in text


@pytest.mark.parametrize(
    "meta",
    [b'{"records": "many"}', b"[1]", b'{"problems": 5}', b"not json", b"[" * 5000 + b"]" * 5000],
    ids=["records not a number", "a list", "problems not a list", "not JSON", "deeply nested"],
)
def test_a_partial_with_foreign_metadata_is_one_line_of_error(tmp_path: Path, meta: bytes) -> None:
    hostile = _rewrite(_partial(tmp_path), tmp_path / "theirs.parquet", meta)
    code, output = _run(["census", "--add-partials", str(hostile)])
    assert code == 1
    assert "not a camaudit census partial" in output and "Traceback" not in output


def test_a_parquet_file_of_other_columns_is_one_line_of_error(tmp_path: Path) -> None:
    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"banners": pa.array(["many"]), "ip": pa.array(["127.0.0.1"])}), other)
    code, output = _run(["census", "--add-partials", str(other)])
    assert code == 1
    assert "not a camaudit census partial" in output and "Traceback" not in output
