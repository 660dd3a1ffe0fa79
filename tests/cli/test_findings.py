"""`camaudit findings`: every finding of an audit, worst first, as a table or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.store.conftest import finding, hik, record_audit

from camaudit.cli import _register, cli
from camaudit.store import Register


def _run(args: list[str]) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "register.sqlite"
    with Register(path) as register:
        record_audit(register, "a" * 32, [hik(findings=(finding(),))])
    return path


def test_findings_table_and_json(db: Path) -> None:
    code, out, _ = _run(["findings", "--db", str(db), "--json"])
    assert code == 0
    [only] = json.loads(out)["findings"]
    assert (only["check_id"], only["device"]["ip"], only["details"]["kev"]) == (
        "cve-2017-7921",
        "127.0.0.1",
        "true",
    )
    code, out, _ = _run(["findings", "--db", str(db)])
    assert code == 0 and "cve-2017-7921" in out and "critical" in out
