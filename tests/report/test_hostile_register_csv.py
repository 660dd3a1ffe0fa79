"""The register CSV keeps formulas as text (OWASP "CSV Injection": a leading ``'``) and still gives back,
after export then import, exactly what each field held: a note that itself began with ``'`` lost it on the
way back (``'=x`` was exported as is and imported as ``=x``), so a round trip changed people's fields."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.store.conftest import hik, record_audit

from camaudit.cli import _register, cli
from camaudit.report.spreadsheet import ImportRow, read_rows, safe_cell
from camaudit.store import Reader, Register

TEXTS = ["'=1+1", "'", "''", "'quoted'", "'+44 20", '=HYPERLINK("x")', "+1", "-1", "@SUM(A1)", "plain", "a'b"]


@pytest.mark.parametrize("text", TEXTS)
def test_a_cell_read_back_is_the_text_written(text: str) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["ip", "notes"], ["127.0.0.1", safe_cell(text)]])
    assert not safe_cell(text).startswith(("=", "+", "-", "@"))  # a spreadsheet shows it as text
    [row] = list(read_rows(out.getvalue().encode("utf-8")))
    assert isinstance(row, ImportRow) and row.values["notes"] == text


def _run(args: list[str]) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def test_register_export_then_import_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with Register(db) as register:
        record_audit(register, "a1", [hik(), hik("127.0.0.2", serial="S2", model="'=cmd|' /C calc'!A0")])
    with Register(db) as register, Reader(db) as reader:
        first, second = (r.id for r in reader.register_devices())
        register.annotate(first, notes='\'=IMPORTXML("x")', owner="'quoted", site="=HQ")
        register.annotate(second, location="'", purpose="-")
    code, exported, err = _run(["register", "export", "--db", str(db)])
    assert code == 0, err
    sheet = tmp_path / "register.csv"
    sheet.write_text(exported, encoding="utf-8")
    code, out, err = _run(["register", "import", str(sheet), "--db", str(db)])
    assert code == 0, err
    assert "0 device(s) updated, 0 added, 2 unchanged, 0 row(s) rejected" in out
    with Reader(db) as reader:
        users = {r.device.ip: r.user for r in reader.register_devices()}
    assert (users["127.0.0.1"].notes, users["127.0.0.1"].owner) == ('\'=IMPORTXML("x")', "'quoted")
    assert (users["127.0.0.2"].location, users["127.0.0.2"].purpose) == ("'", "-")
