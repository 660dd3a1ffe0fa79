"""gzip input with a budget: a decompression bomb is cut, counted and reported, never followed to the end.

A 2 MB ``.pcap.gz`` that inflates to 2 GB kept ``camaudit traffic`` busy for minutes (issue 13, item 7).
Real captures and logs compress a few times to a few tens of times; a run of zeros compresses about a
thousand times. Past `Inflate.max_ratio` (once `Inflate.grace` bytes have come out, so small files are
never judged by their header) or past `Inflate.max_bytes` in all, the read stops with `InflateLimit`,
whose message says what was cut and which option raises the limit.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_INFLATED = 4 << 30  # bytes out of one compressed file (raise with --max-inflated)
MAX_RATIO = 200  # inflated bytes per compressed byte (raise with --max-inflate-ratio)
GRACE = 4 << 20  # the ratio is judged only after this many inflated bytes
_STEP = 1 << 20  # the most one read inflates before the budget is checked again


@dataclass(frozen=True, slots=True)
class Inflate:
    """How far one compressed file may inflate."""

    max_bytes: int = MAX_INFLATED
    max_ratio: float = MAX_RATIO
    grace: int = GRACE


class InflateLimit(OSError):
    """The compressed stream went past its budget; the message says how far it was read."""


class BoundedGzip(gzip.GzipFile):
    """A GzipFile whose reads stop at the budget (read, read1 and readline: what dpkt and text use)."""

    def __init__(self, name: str, fileobj: Any, budget: Inflate) -> None:
        super().__init__(fileobj=fileobj, mode="rb")
        self._label, self._budget, self._packed = name, budget, fileobj

    def _check(self) -> None:
        out = self.tell()
        packed = max(int(self._packed.tell()), 1)  # compressed bytes consumed so far
        budget = self._budget
        if out > budget.max_bytes:
            raise InflateLimit(
                f"stopped after {out >> 20} MiB inflated from {packed >> 20} MiB "
                f"(more than --max-inflated {budget.max_bytes >> 20} MiB); the rest was not read"
            )
        if out > budget.grace and out > budget.max_ratio * packed:
            raise InflateLimit(
                f"stopped after {out >> 20} MiB inflated from {packed} compressed bytes: ratio above "
                f"{budget.max_ratio:g} (--max-inflate-ratio), a decompression bomb?; the rest was not read"
            )

    def read(self, size: int | None = -1) -> bytes:
        """Up to `size` bytes (all for -1), inflated in checked steps of at most `_STEP`."""
        wanted = -1 if size is None else size
        parts: list[bytes] = []
        while wanted != 0:
            self._check()
            part = super().read(_STEP if wanted < 0 else min(wanted, _STEP))
            if not part:
                break
            parts.append(part)
            wanted = wanted - len(part) if wanted > 0 else wanted
        self._check()
        return b"".join(parts)

    def read1(self, size: int = -1) -> bytes:
        self._check()
        data = super().read1(_STEP if size < 0 else min(size, _STEP))
        self._check()
        return data

    def readline(self, size: int | None = -1) -> bytes:
        parts: list[bytes] = []
        wanted = -1 if size is None else size
        while True:  # a "line" of a billion zeros is read in checked steps too
            self._check()
            step = _STEP if wanted < 0 else min(wanted, _STEP)
            part = super().readline(step)
            parts.append(part)
            if wanted >= 0:
                wanted -= len(part)
            if not part or part.endswith(b"\n") or wanted == 0:
                break
        self._check()
        return b"".join(parts)


def open_bounded(path: Path, handle: Any, budget: Inflate | None = None) -> BoundedGzip:
    """`handle` (a file opened "rb", at offset 0) read through gzip within `budget`."""
    return BoundedGzip(str(path), handle, budget or Inflate())
