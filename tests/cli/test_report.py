"""`camaudit report --format html|pdf|csv|json -o FILE` (the latest audit by default)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from tests.store.conftest import finding, hik, record_audit

from camaudit.cli import _register, cli
from camaudit.store import Register


def _run(args: list[str]) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def test_every_format_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with Register(db) as register:
        record_audit(register, "a" * 32, [hik()])
        record_audit(register, "b" * 32, [hik(findings=(finding(),))], days=7)
    for name in ("html", "csv", "json", "pdf"):
        out_file = tmp_path / f"out.{name}"
        code, out, err = _run(["report", "--db", str(db), "-f", name, "-o", str(out_file)])
        assert code == 0, err
        assert "1 device(s), 1 finding(s)" in out and out_file.stat().st_size > 0
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc["audit"]["id"] == "b" * 32 and doc["previous_audit"] == "a" * 32
    assert (tmp_path / "out-findings.csv").exists()
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF-")
    code, _, _ = _run(
        ["report", "--db", str(db), "--audit", "aaaa", "-f", "json", "-o", str(tmp_path / "a.json")]
    )
    assert code == 0 and json.loads((tmp_path / "a.json").read_text())["summary"]["findings"] == 0
    # Without -f, the file's suffix picks the format: `-o board.pdf` is a PDF, not HTML named .pdf.
    code, _, err = _run(["report", "--db", str(db), "-o", str(tmp_path / "board.PDF")])
    assert code == 0, err
    assert (tmp_path / "board.PDF").read_bytes().startswith(b"%PDF-")
    code, _, err = _run(["report", "--db", str(db), "-o", str(tmp_path / "board.txt")])
    assert code == 0 and (tmp_path / "board.txt").read_text().lstrip().lower().startswith("<!doctype html")


def test_no_finished_audit_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    Register(db).close()
    code, _, err = _run(["report", "--db", str(db), "-o", str(tmp_path / "x.html")])
    assert code == 2 and err == "camaudit: error: the register holds no finished scan audit yet\n"
