"""Files a person names on the command line: read at most a cap, parse without unbounded recursion.

A size check with `stat` says nothing about a pipe, a FIFO or a device file (``/dev/zero`` has size 0 and
never ends; issue 13), so every reader here bounds the read itself: at most ``cap + 1`` bytes are read,
and one byte past the cap means "too large". TOML nesting is checked before `tomllib` recurses into it
(``x = [[[[…]]]]`` of 10 KB otherwise ends in a RecursionError and a traceback).
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

from camaudit.errors import InputError

MAX_TOML_DEPTH = 32  # arrays and inline tables inside one another; camaudit's files need four


class TooLarge(InputError):
    """A file holds more bytes than its reader's cap."""


def read_capped(path: str | Path, cap: int, *, what: str = "file") -> bytes:
    """The file's bytes (``-``: standard input), never more than `cap`; `TooLarge` past it.

    OSError propagates (each reader words "cannot read" with its own file-and-line convention).
    """
    if str(path) == "-":
        data = sys.stdin.buffer.read(cap + 1)
    else:
        with open(path, "rb") as handle:
            data = handle.read(cap + 1)
    if len(data) > cap:
        raise TooLarge(f"{path}: {what} larger than {cap} bytes (read stopped there)")
    return data


def loads_toml(text: str, max_depth: int = MAX_TOML_DEPTH) -> dict[str, Any]:
    """`tomllib.loads`, refusing nesting deeper than `max_depth` with a TOMLDecodeError naming the line."""
    line = _too_deep(text, max_depth)
    if line is not None:
        raise tomllib.TOMLDecodeError(f"arrays or tables nested deeper than {max_depth} (at line {line})")
    try:
        return tomllib.loads(text)
    except RecursionError:  # a shape the scan above did not foresee: still one line, never a traceback
        raise tomllib.TOMLDecodeError(f"nested too deeply (more than {max_depth} levels)") from None


def _too_deep(text: str, max_depth: int) -> int | None:
    """The line where value nesting first exceeds `max_depth`, or None.

    A small scanner of TOML's lexical layers (TOML 1.0: basic and literal strings, their multi-line
    forms, comments) so brackets inside strings do not count. Table headers (``[a]``, ``[[a]]``) open
    and close on one line and count at most two, far below any cap.
    """
    depth, line, i, size = 0, 1, 0, len(text)
    while i < size:
        char = text[i]
        if char == "\n":
            line += 1
        elif char == "#":
            end = text.find("\n", i)
            i = size if end < 0 else end
            continue
        elif char in "\"'":
            i, line = _skip_string(text, i, line)
            continue
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return line
        elif char in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return None


def _skip_string(text: str, i: int, line: int) -> tuple[int, int]:
    """Index just past the string starting at `i`, and the line it ends on (unterminated: the end)."""
    quote = text[i]
    delimiter = quote * 3 if text.startswith(quote * 3, i) else quote
    j = i + len(delimiter)
    while j < len(text):
        char = text[j]
        if char == "\\" and quote == '"':
            line += text.startswith("\n", j + 1)  # a line-ending backslash in a multi-line string
            j += 2
            continue
        if text.startswith(delimiter, j):
            j += len(delimiter)
            break
        if char == "\n":
            if len(delimiter) == 1:
                break  # a one-line string cannot span lines: let tomllib report it
            line += 1
        j += 1
    return j, line
