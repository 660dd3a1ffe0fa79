"""Line-oriented inputs (Zeek logs, flow CSV): bounded lines, decoded leniently, numbered for warnings."""

from __future__ import annotations

import contextlib
import gzip
import io
import math
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TextIO

from camaudit.sources.passive.inflate import Inflate, InflateLimit, open_bounded
from camaudit.sources.passive.summary import TrafficSummary

MAX_LINE = 64 * 1024
_GZIP = b"\x1f\x8b"


@contextlib.contextmanager
def open_text(path: Path, budget: Inflate | None = None) -> Iterator[TextIO]:
    """UTF-8 text (bad bytes replaced), gunzipped within `budget` when the file starts with the gzip
    magic (past it, reads raise InflateLimit)."""
    with path.open("rb") as raw:
        packed = raw.read(2) == _GZIP
    if packed:
        with path.open("rb") as handle, open_bounded(path, handle, budget) as unpacked:
            yield io.TextIOWrapper(unpacked, encoding="utf-8", errors="replace", newline="")
    else:
        with path.open("r", encoding="utf-8", errors="replace", newline="") as text:
            yield text


def lines(path: Path, summary: TrafficSummary) -> Iterator[tuple[int, str]]:
    """(line number, line without its newline); an over-long line or a broken gzip is a warning."""
    number = 0
    with open_text(path, summary.inflate) as text:
        try:
            while line := text.readline(MAX_LINE + 1):
                number += 1
                if len(line) > MAX_LINE and not line.endswith("\n"):
                    summary.warn(str(path), f"line {number}", f"longer than {MAX_LINE} characters: skipped")
                    summary.skipped += 1
                    _skip_rest(text)
                    continue
                yield number, line.rstrip("\r\n")
        except InflateLimit as exc:  # the budget, not damage: say what was cut
            summary.warn(str(path), f"line {number + 1}", str(exc))
            summary.cut_files += 1
        except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
            summary.warn(str(path), f"line {number + 1}", f"compressed stream broken: {exc}")


def _skip_rest(text: TextIO) -> None:
    while (chunk := text.readline(MAX_LINE)) and not chunk.endswith("\n"):
        pass


def first_line(path: Path) -> str:
    with open_text(path) as text:
        try:
            return text.readline(MAX_LINE)
        except (EOFError, zlib.error, gzip.BadGzipFile, OSError):
            return ""


def parse_time(text: str) -> float | None:
    """Epoch seconds (or milliseconds when > 1e11), or an ISO / nfdump date-time (UTC)."""
    value = text.strip()
    if not value or value == "-":
        return None
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        if not math.isfinite(number):  # "inf", "nan", "1e999": no time at all
            return None
        return number / 1000.0 if number > 1e11 else number
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


MAX_COUNTER = 2**64 - 1  # flow counters are 64-bit; anything beyond is not a count


def parse_int(text: str) -> int | None:
    """A non-negative counter: digits, or nfdump's scaled "1.2 M"; None for anything else."""
    value = text.strip()
    if value.isascii() and value.isdigit() and len(value) <= 19:
        return int(value)
    try:  # nfdump writes large counters as "1.2 M"
        number, _, unit = value.partition(" ")
        scale = {"": 1, "K": 1_000, "M": 1_000_000, "G": 1_000_000_000}[unit.upper()]
        scaled = float(number) * scale
    except (KeyError, ValueError):
        return None
    return int(scaled) if 0 <= scaled <= MAX_COUNTER else None  # also False for inf and nan
