"""The HTML report parsed back: the counts of the view, hostile strings as text, nothing external, and a
CSP that allows exactly our stylesheet and script by hash."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from bs4 import BeautifulSoup

from camaudit.lab.runner import Lab
from camaudit.report.formats import html

HOSTILE = "<script>alert(1)</script>"


def _soup(view: dict[str, Any]) -> tuple[str, BeautifulSoup]:
    text = html.render(view)
    return text, BeautifulSoup(text, "html.parser")


def test_counts_match_the_view(view: dict[str, Any]) -> None:
    _, soup = _soup(view)
    summary = view["summary"]
    assert soup.select_one("#count-devices b").get_text() == str(summary["devices"])  # type: ignore[union-attr]
    assert soup.select_one("#count-findings b").get_text() == str(summary["findings"])  # type: ignore[union-attr]
    assert len(soup.select("tr.device-row")) == summary["devices"]
    assert len(soup.select("section.device")) == summary["devices"]
    # one row per check, its device count in bold, adding up to every finding of the view
    groups = soup.select("tr.finding-group")
    assert len(groups) == len(view["finding_groups"]) < len(view["findings"])
    assert sum(int(g.select("td")[-1].b.get_text()) for g in groups) == len(view["findings"])  # type: ignore[union-attr]
    kev_rows = [g for g in groups if g.select_one("span.kev")]
    assert len(kev_rows) == sum(1 for g in view["finding_groups"] if g["kev"]) >= 1
    # the second audit did not look at the Axis camera's address: not re-audited, never "gone"
    assert not soup.select("li.change-gone") and len(soup.select("p.change-not-reaudited")) == 1
    bars = soup.select("figure")[0].select("rect")
    assert len(bars) == len(view["by_manufacturer"])


def test_page_one_answers_first(view: dict[str, Any]) -> None:
    _, soup = _soup(view)
    board = soup.select_one("section#board")
    assert board is not None and board is soup.select("section")[0]
    headline = board.select_one("#headline").get_text()  # type: ignore[union-attr]
    assert headline == view["board"]["headline"] and "made by Dahua or Hikvision" in headline
    assert "known to exploit" in headline
    actions = board.select("li.action")
    assert actions and "known to exploit" in actions[0].get_text()
    assert "Since the audit of" in board.select_one("#trend").get_text()  # type: ignore[union-attr]
    when = board.select_one("p.when").get_text()  # type: ignore[union-attr]
    assert view["audit"]["id"] not in when and not re.search(r"\d{4}-\d\d-\d\dT", when)


def test_the_lab_script_device_is_text_not_markup(lab: Lab, view: dict[str, Any]) -> None:
    text, soup = _soup(view)
    address = {e["profile"]: e["address"] for e in lab.manifest()}["hostile-script"]
    [row] = [r for r in soup.select("tr.device-row") if r.select("td")[1].get_text() == address]
    assert HOSTILE in row.get_text()  # shown to people exactly as the device sent it
    assert HOSTILE not in text  # and never as markup
    assert len(soup.find_all("script")) == 1  # ours, and only ours
    assert not soup.find_all("svg", attrs={"onload": True})
    assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]


def test_nothing_is_loaded_from_anywhere(view: dict[str, Any]) -> None:
    _, soup = _soup(view)
    assert not soup.find_all(["link", "img", "iframe", "object", "embed", "base", "form"])
    assert not soup.find_all(src=True)
    assert all(a["href"].startswith("#") for a in soup.find_all("a", href=True))
    assert not soup.find_all(style=True)  # inline style attributes would need 'unsafe-inline'


def _sha(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_the_csp_allows_exactly_our_style_and_script(view: dict[str, Any]) -> None:
    _, soup = _soup(view)
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]  # type: ignore[index]
    assert str(policy).startswith("default-src 'none';")
    style, script = soup.find("style").string, soup.find("script").string  # type: ignore[union-attr]
    assert re.findall(r"style-src ([^;]+);", str(policy)) == [f"'sha256-{_sha(str(style))}'"]
    assert re.findall(r"script-src ([^;]+);", str(policy)) == [f"'sha256-{_sha(str(script))}'"]
    assert "unsafe" not in str(policy)
