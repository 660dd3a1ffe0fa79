"""Cells never read device strings as markup; JSON goes to a file or to stdout."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from camaudit.cli.render import cell, table_console, write_json


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
