"""What every command prints the same way: table cells, consoles, JSON to a file or stdout."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from camaudit.model import printable


def plain(text: object) -> str:
    """Text for a terminal without rich: controls and direction overrides shown as escapes."""
    return printable(str(text))


def visible(text: object) -> str:
    """Device text for a rich console: controls shown as escapes, markup inert."""
    return escape(printable(str(text)))


def cell(value: object) -> str:
    """A table cell: device strings are hostile, so never read as rich markup nor obeyed as terminal
    controls (shown as ``\\x1b``); empty shows as '-'."""
    return visible(value) if value not in (None, "") else "-"


def table_console(json_out: str | None = None, width: int = 160) -> Console:
    """Where tables go: stderr when JSON takes stdout; piped output is not folded to 80 columns."""
    stream = sys.stderr if json_out == "-" else sys.stdout
    return Console(file=stream, width=None if stream.isatty() else width)


def write_json(data: Any, target: str) -> None:
    """Indented JSON to a file (whole or not at all, see `write_files`), or to stdout for '-'."""
    text = json.dumps(data, indent=2) + "\n"
    if target == "-":
        sys.stdout.write(text)
    else:
        write_files(Path(target), lambda path: (path.write_text(text, encoding="utf-8"), (path,))[1])


def write_files(path: Path, write: Callable[[Path], tuple[Path, ...]]) -> tuple[Path, ...]:
    """Have `write` make `path` (and any companions beside it) in a private folder next to it, then move
    each into place, the first-named file last: a file at `path` is always whole, however the command
    ends (kill -9 included, issue 13); an interrupted run leaves at most a hidden `.NAME.*.partial`
    folder. Returns the files in their final places."""
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent))
    try:
        made = write(staging / path.name)
        for file in reversed(made):
            os.replace(file, path.parent / file.name)
        return tuple(path.parent / file.name for file in made)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
