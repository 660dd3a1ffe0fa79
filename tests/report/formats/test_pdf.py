"""The PDF: WeasyPrint renders the same HTML on A4 with "Page i of N" on every page (read with pdftotext)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from camaudit.report.formats import pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (make deps)")


@pytest.fixture(scope="module")
def pdf_file(view: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    pdf.write(view, path)
    return path


def _pages(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return text.stdout.split("\f")[:-1]


def test_a4_pages_each_numbered(pdf_file: Path) -> None:
    info = subprocess.run(["pdfinfo", str(pdf_file)], capture_output=True, check=True, text=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    pages = _pages(pdf_file)
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert len(pages) == count >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {count}" in page


def test_the_expected_sections_in_order(pdf_file: Path, view: dict[str, Any]) -> None:
    pages = _pages(pdf_file)
    assert "Camera audit report" in pages[0] and "Summary" in pages[0]
    assert "Devices by true manufacturer" in pages[0]
    detail = next(i for i, p in enumerate(pages) if "Devices in detail" in p)
    assert detail >= 1  # the details start on a page of their own
    before = "\n".join(pages[:detail])
    for heading in ("Rebrands found", "Findings", "Changed since the previous audit", "Devices"):
        assert heading in before
    details = "\n".join(pages[detail:])
    for device in view["devices"]:
        assert f"#{device['register']['id']} · {device['ip']}" in details


def test_nothing_is_fetched_while_rendering(view: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="refuses to fetch"):
        pdf._no_fetch("https://example.org/x.css")
