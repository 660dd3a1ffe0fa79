"""`camaudit import` end to end: real samples, standard input, a generated file with corrupt lines."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from camaudit.cli import _register, cli
from camaudit.store import Reader, RegisterError

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"


def _run(args: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(cli, args, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_import_records_an_audit_and_prints_counts(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    code, out, err = _run(
        ["import", str(DATA / "nmap_dionaea.xml"), str(DATA / "censys_v2_140.82.121.4.json"), "--db", str(db)]
    )
    assert code == 0, err
    assert "read as nmap_xml" in err and "read as censys" in err and "(kind import) recorded" in err
    assert "2 device(s)" in out
    with Reader(db) as reader:
        audit = reader.audit(kind="import")
        with pytest.raises(RegisterError, match="it holds import audits: --kind import"):
            reader.audit()  # the default is the latest scan: it says where the import went
    assert audit.options["kind"] == "import"
    code, out, err = _run(["devices", "--kind", "import", "--db", str(db)])
    assert code == 0, err


def test_json_and_standard_input_with_corrupt_lines() -> None:
    banners = json.loads((DATA / "shodan_host_140.82.121.4.json").read_text())["data"]
    lines = [json.dumps(banners[0]), "{broken", json.dumps(banners[1])]
    code, out, err = _run(["import", "-", "--no-db", "--json", "-"], gzip.compress("\n".join(lines).encode()))
    assert code == 0, err
    data = json.loads(out)
    assert data["files"] == [{"path": "-", "format": "shodan+gzip"}]
    assert data["records"] == 2 and data["skipped"] == 1
    assert data["problems"][0].startswith("-: line 2: not JSON")
    assert data["audit"] is None


def test_unknown_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    code, _, err = _run(["import", str(tmp_path / "notes.txt"), "--no-db"])
    assert code == 2 and "not a known scan export" in err
