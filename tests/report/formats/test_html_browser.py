"""The HTML report in Debian's headless Chromium: it renders with no console message (no CSP violation,
no script error), the sorting script runs under the CSP, and a screenshot is written.

Flags as in /work/.library/env/machines/python.md: no sandbox (root), no GPU, no background networking
(the machine has no network), a fresh profile directory per run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from camaudit.report.formats import html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (make deps)")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--enable-logging=stderr",
    "--v=0",
)
CONSOLE = re.compile(r":CONSOLE[:(\]]")


def _chromium(page: Path, profile: Path, *mode: str) -> subprocess.CompletedProcess[str]:
    argv = [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *mode, page.as_uri()]
    return subprocess.run(argv, capture_output=True, text=True, timeout=90, check=False)


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE.search(line)]


def test_renders_without_console_errors_and_screenshots(view: dict[str, Any], tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    html.write(view, page)
    shot = tmp_path / "report.png"
    done = _chromium(page, tmp_path / "profile-1", "--window-size=1280,1600", f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert _console(done.stderr) == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    dom = _chromium(page, tmp_path / "profile-2", "--dump-dom")
    assert _console(dom.stderr) == []
    assert re.search(r'<html lang="en" class="js">', dom.stdout)  # our script ran: its hash is allowed


def test_a_script_the_csp_does_not_allow_is_reported(view: dict[str, Any], tmp_path: Path) -> None:
    # The check above can fail: a page whose script hash is wrong shows a console message, and no script runs.
    page = tmp_path / "tampered.html"
    page.write_text(
        re.sub(r"script-src &#39;sha256-[^&]+&#39;", "script-src &#39;sha256-AAAA&#39;", html.render(view))
    )
    dom = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert any("Content Security Policy" in line for line in _console(dom.stderr))
    assert 'class="js"' not in dom.stdout
