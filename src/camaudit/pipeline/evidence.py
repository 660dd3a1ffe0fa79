"""Identification from evidence alone: lines of recorded replies in, devices out (nothing is sent).

The engine behind `camaudit identify`: each line (`camaudit.sources.evidence`) is judged by the same
rules a scan uses; a refused line comes back with no device, and the others are still judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from camaudit.identify import identify
from camaudit.model import Device
from camaudit.sources import evidence


def judged(lines: Iterator[evidence.Line]) -> Iterator[tuple[evidence.Line, Device | None]]:
    """Each line with its device (None for a refused line)."""
    for line in lines:
        if line.error is not None or not line.observations:
            yield line, None
            continue
        devices = identify(line.observations)
        yield line, devices[0] if devices else None
