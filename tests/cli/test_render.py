"""Cells never read device strings as markup; JSON goes to a file or to stdout."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from camaudit.cli.render import cell, table_console, write_files, write_json


def test_a_hostile_cell_stays_text_and_an_empty_one_is_a_dash() -> None:
    assert cell("[bold]x[/]") == "\\[bold]x\\[/]"
    assert cell(None) == cell("") == "-" and cell(0) == "0"


def test_json_to_a_file_or_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_json({"a": [1]}, str(tmp_path / "out.json"))
    assert json.loads((tmp_path / "out.json").read_text()) == {"a": [1]}
    write_json({"b": 2}, "-")
    assert json.loads(capsys.readouterr().out) == {"b": 2}


def test_tables_give_stdout_to_json_when_json_goes_there() -> None:
    assert table_console("-").file is sys.stderr and table_console(None).file is sys.stdout


def test_write_files_puts_whole_files_in_place_or_none(tmp_path: Path) -> None:
    def two(path: Path) -> tuple[Path, ...]:
        path.write_text("devices")
        companion = path.with_name(f"{path.stem}-findings.csv")
        companion.write_text("findings")
        return path, companion

    written = write_files(tmp_path / "r.csv", two)
    assert written == (tmp_path / "r.csv", tmp_path / "r-findings.csv")
    assert [p.read_text() for p in written] == ["devices", "findings"]

    def dies_halfway(path: Path) -> tuple[Path, ...]:
        path.write_text("<html><body>half a rep")
        raise KeyboardInterrupt  # as good as a kill for what is on disk at this point

    with pytest.raises(KeyboardInterrupt):
        write_files(tmp_path / "report.html", dies_halfway)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r-findings.csv", "r.csv"]  # nothing half-written
