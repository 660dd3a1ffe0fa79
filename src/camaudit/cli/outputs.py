"""Files a command writes and the exit status it ends with: checked before any work, never lost after.

An output path is checked before anything is sent (a typo in `--json` must not cost a scan); if writing
still fails afterwards, the data goes to a fallback file in the user's data directory and the message
says where. `--fail-on SEVERITY` turns findings into an exit status for pipelines.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from camaudit.model import Finding, Severity

EXIT_FINDINGS = 3  # --fail-on: findings at or above the severity exist
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C (128 + SIGINT), as shells report it
SEVERITIES = [s.value for s in Severity]
_RANK = {s: i for i, s in enumerate(Severity)}


def unwritable(target: str) -> str | None:
    """Why `target` cannot be written (None when it can, or when it is '-' for stdout)."""
    if target == "-":
        return None
    path = Path(target).expanduser()
    if path.is_dir():
        return "it is a directory"
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return f"the folder {str(parent)!r} does not exist"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is not writable"
    if not path.exists() and not os.access(parent, os.W_OK | os.X_OK):
        return f"the folder {str(parent)!r} is not writable"
    return None


def check_writable(target: str | None, option: str) -> None:
    """A usage error (exit 2, nothing sent) when `target` cannot be written."""
    if target is None:
        return
    why = unwritable(target)
    if why is not None:
        raise click.BadParameter(f"cannot write {target!r}: {why}", param_hint=option)


def fallback_dir() -> Path:
    """Where results go when the file asked for cannot be written: the user's data directory."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "camaudit" / "unsaved"


def save_json(data: Any, target: str, name: str) -> tuple[Path | None, str | None]:
    """Write JSON to `target` ('-': stdout). On failure write it to a fallback file named after `name`.

    Returns (the fallback file used or None, the error or None); the caller says where the data is.
    """
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if target == "-":
        sys.stdout.write(text)
        return None, None
    try:
        Path(target).expanduser().write_text(text, encoding="utf-8")
        return None, None
    except OSError as exc:
        error = exc.strerror or str(exc)
    return _fallback(text, name), error


def _fallback(text: str, name: str) -> Path | None:
    for folder in (fallback_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return None


def at_or_above(findings: Iterable[Finding], severity: str) -> list[Finding]:
    """Findings whose severity is `severity` or worse."""
    limit = _RANK[Severity(severity)]
    return [f for f in findings if _RANK[f.severity] <= limit]


FAIL_ON_HELP = "Exit 3 when findings of this severity or worse exist (for pipelines)."


def fail_on_option(function: Any) -> Any:
    option = click.option(
        "--fail-on",
        type=click.Choice(SEVERITIES, case_sensitive=False),
        metavar="SEVERITY",
        help=f"{FAIL_ON_HELP} One of {', '.join(SEVERITIES)}.",
    )
    return option(function)
