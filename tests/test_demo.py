"""`make demo` end to end: the lab, a full default audit into a fresh register, reports, a summary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup


def test_demo_audits_the_lab_and_writes_every_report(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "camaudit.demo"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "0 state-changing" in out
    assert "Possible non-compliance (check with counsel)" in out and "Removal plan:" in out
    for name in ("demo-report.html", "demo-report.pdf", "demo-report.json", "lab-manifest.json"):
        assert (tmp_path / name).stat().st_size > 0, name
    manifest = json.loads((tmp_path / "lab-manifest.json").read_text())
    report = json.loads((tmp_path / "demo-report.json").read_text())
    assert report["summary"]["devices"] == len(manifest)
    html = BeautifulSoup((tmp_path / "demo-report.html").read_text(), "html.parser")
    assert html.find(id="compliance") is not None
    assert "<script>alert(1)</script>" in html.get_text()  # the hostile device's name, shown as text
    assert len(html.find_all("script")) == 1  # ours only
