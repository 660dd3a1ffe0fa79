"""The HTML report: self-contained (no script, no outside address), charts drawn, hostile strings escaped."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from camaudit.census import run_census
from camaudit.census.html import VIEWS, render

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def test_report(generated: tuple[Path, Any], tmp_path: Path) -> None:
    path, _ = generated
    lines = path.read_text().splitlines()
    lines[0] = lines[0].replace('"org": "', f'"org": "{HOSTILE.replace(chr(34), chr(92) + chr(34))}', 1)
    hostile = tmp_path / "h.json"
    hostile.write_text("\n".join(lines) + "\n")
    result = run_census([str(hostile)], ("org", "manufacturer"), workers=1, views=tuple(VIEWS))
    page = render(result)
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find("script") is None and soup.find("img") is None
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert len(soup.find_all("svg")) == len(VIEWS)
    assert any(HOSTILE in td.get_text() for td in soup.find_all("td"))
    assert "what it cannot see" in page and "GeoLite2" in page
