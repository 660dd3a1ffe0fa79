"""CSV: devices and findings files with the view's counts; hostile cells never become formulas."""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path
from typing import Any

from camaudit.report.formats import csv as csv_format


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_devices_and_findings_files(view: dict[str, Any], tmp_path: Path) -> None:
    devices, findings = csv_format.write(view, tmp_path / "audit.csv")
    assert findings.name == "audit-findings.csv"
    device_rows = _rows(devices.read_text(encoding="utf-8"))
    finding_rows = _rows(findings.read_text(encoding="utf-8"))
    assert len(device_rows) == view["summary"]["devices"]
    # the summary counts firm findings and undetermined ones apart; the file holds both
    assert len(finding_rows) == view["summary"]["findings"] + view["summary"]["undetermined"]
    assert sum(1 for r in finding_rows if r["status"] == "undetermined") == view["summary"]["undetermined"]
    assert sum(int(r["findings"]) for r in device_rows) == len(finding_rows)
    assert {r["ip"] for r in device_rows} == {d["ip"] for d in view["devices"]}


def test_cells_that_would_run_as_formulas_are_quoted(view: dict[str, Any]) -> None:
    hostile = copy.deepcopy(view)
    hostile["devices"][0]["model"] = '=HYPERLINK("http://x","y")'
    devices, _ = csv_format.render(hostile)
    first = _rows(devices)[0]
    assert first["model"] == '\'=HYPERLINK("http://x","y")'
