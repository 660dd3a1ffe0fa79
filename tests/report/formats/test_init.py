"""Every format renders the same view: the number of devices and findings agree across all four."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from camaudit.report.formats import BY_NAME, FORMATS


def test_the_formats_tuple() -> None:
    assert [(f.name, f.suffix) for f in FORMATS] == [
        ("html", ".html"),
        ("pdf", ".pdf"),
        ("csv", ".csv"),
        ("json", ".json"),
    ]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (make deps)")
def test_counts_agree_across_formats(view: dict[str, Any], tmp_path: Path) -> None:
    files = {f.name: f.write(view, tmp_path / f"report{f.suffix}") for f in FORMATS}
    soup = BeautifulSoup(files["html"][0].read_text(encoding="utf-8"), "html.parser")
    grouped = sum(int(g.select("td")[-1].b.get_text()) for g in soup.select("tr.finding-group"))  # type: ignore[union-attr]
    html_counts = (len(soup.select("tr.device-row")), grouped)
    doc = json.loads(files["json"][0].read_text(encoding="utf-8"))
    json_counts = (len(doc["devices"]), len(doc["findings"]))
    devices_csv, findings_csv = (list(csv.DictReader(io.StringIO(p.read_text()))) for p in files["csv"])
    csv_counts = (len(devices_csv), len(findings_csv))
    text = subprocess.run(
        ["pdftotext", str(files["pdf"][0]), "-"], capture_output=True, check=True, text=True
    )
    pdf_devices = sum(1 for d in doc["devices"] if f"#{d['register']['id']} · {d['ip']}" in text.stdout)
    assert html_counts == json_counts == csv_counts == (view["summary"]["devices"], len(view["findings"]))
    assert pdf_devices == view["summary"]["devices"]
    assert BY_NAME["pdf"].write is FORMATS[1].write
