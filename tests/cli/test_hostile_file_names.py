"""A file's name is text from elsewhere too (a folder of exports from a provider, a shared drive, a glob):
`camaudit import`, `census` and `register import` printed it raw in their summaries, warnings and errors,
so a name holding ``ESC]0;…BEL`` retitled the terminal and ``ESC[2J`` cleared it; the census method also
carried a line break of a name into its CSV, where the next line became a row a spreadsheet runs."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from tests.hostile import RAW_CONTROL, SHODAN_BANNER, TERMINAL_ATTACK

from camaudit.cli import _register, cli


def _run(args: list[str]) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(cli, args, env={"COLUMNS": "250"}, color=True)  # nothing stripped by click
    return result.exit_code, result.stdout + result.stderr


def _shodan(folder: Path, name: str) -> Path:
    path = folder / name
    lines = [json.dumps(SHODAN_BANNER), json.dumps({"ip_str": "127.0.0.6"}), "{not json"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _assert_shown_not_obeyed(output: str) -> None:
    assert not RAW_CONTROL.search(output), repr(output)
    assert "\\x1b]0;owned" in output


def test_import_shows_a_hostile_file_name_escaped(tmp_path: Path) -> None:
    path = _shodan(tmp_path, f"scan{TERMINAL_ATTACK}.json")
    code, output = _run(["import", "--no-db", str(path)])
    assert code == 0, output
    assert "warning" in output
    _assert_shown_not_obeyed(output)


def test_an_error_naming_a_hostile_file_is_escaped(tmp_path: Path) -> None:
    path = tmp_path / f"notes{TERMINAL_ATTACK}.txt"
    path.write_text("nothing a scanner wrote\n", encoding="utf-8")
    code, output = _run(["import", "--no-db", str(path)])
    assert code == 2
    assert "not a known scan export" in output
    _assert_shown_not_obeyed(output)


def test_census_shows_a_hostile_file_name_escaped_and_keeps_it_out_of_csv_rows(tmp_path: Path) -> None:
    path = _shodan(tmp_path, f"gb{TERMINAL_ATTACK}\n=HYPERLINK(1).json")
    out_csv = tmp_path / "counts.csv"
    code, output = _run(["census", str(path), "--by", "country", "--csv", str(out_csv)])
    assert code == 0, output
    _assert_shown_not_obeyed(output)
    lines = out_csv.read_text(encoding="utf-8").splitlines()
    assert not [line for line in lines if line.startswith(("=", "+", "-", "@"))]
    comment = next(line for line in lines if line.startswith("# Record set"))
    assert "\\x0a=HYPERLINK" in comment
    assert not RAW_CONTROL.search("".join(lines))


def test_register_import_shows_a_hostile_file_name_escaped(tmp_path: Path) -> None:
    path = tmp_path / f"estate{TERMINAL_ATTACK}.csv"
    path.write_text("ip,status\n127.0.0.9,exploded\n", encoding="utf-8")
    code, output = _run(["register", "import", "--db", str(tmp_path / "r.sqlite"), str(path)])
    assert code == 1, output
    assert "exploded" in output
    _assert_shown_not_obeyed(output)
