"""`camaudit census` end to end: JSON on stdout, every file output, one clear error for bad input."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from click.testing import CliRunner

from camaudit.cli import _register, cli

GEN = Path(__file__).resolve().parents[1] / "census" / "shodan_records.py"


def _gen() -> object:
    spec = importlib.util.spec_from_file_location("shodan_records", GEN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["shodan_records"] = module
    spec.loader.exec_module(module)
    return module


def test_census_outputs(tmp_path: Path) -> None:
    data = tmp_path / "s.json.gz"
    truth = _gen().write(data, 600, seed=3, corrupt=2)  # type: ignore[attr-defined]
    _register()
    out = tmp_path / "out"
    args = [
        "census",
        str(data),
        "--by",
        "country,manufacturer",
        "--json",
        "-",
        "--query",
        "port:554",
        "--csv",
        f"{out}.csv",
        "--parquet",
        f"{out}.parquet",
        "--html",
        f"{out}.html",
        "--workers",
        "1",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["totals"]["banners"] == truth.records and doc["skipped"] == 2
    assert "query: port:554" in doc["method"]
    for suffix in (".csv", ".parquet", ".html"):
        assert Path(f"{out}{suffix}").stat().st_size > 0
    assert "census:" in result.stderr and "Limits:" in result.stderr


def test_bad_dimension_is_one_line() -> None:
    _register()
    result = CliRunner().invoke(cli, ["census", "x.json", "--by", "colour"])
    assert result.exit_code == 2 and "colour" in result.stderr
