"""One import file (or standard input) as a plain byte stream: compression found by magic, inflation bounded.

gzip (RFC 1952 magic ``1f 8b``), bzip2 (``BZh``) and Zstandard (RFC 8878 magic ``28 b5 2f fd``) are
recognised by their first bytes, never by the file name (IVRE's ``FileOpener.FILE_OPENERS_MAGIC`` does
the same). Decompression runs through `Inflated`, which checks the `Inflate` budget of
`camaudit.sources.passive.inflate` (total bytes and ratio) at every step, so a 2 MB file that
inflates to 2 GB is cut with `InflateLimit`, and reports a stream cut short (a download that stopped)
as `Truncated` instead of ending silently: the last records before the cut are still read.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from camaudit.sources.passive.inflate import Inflate, InflateLimit

SNIFF = 64 * 1024  # bytes of (decompressed) content a format is recognised from
_STEP = 1 << 20  # most bytes one read inflates before the budget is checked again
_ZSTD_FEED = 1024  # compressed bytes fed at once: zstd RLE blocks inflate ~40,000 times
MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\x28\xb5\x2f\xfd": "zstd"}


class Truncated(EOFError):
    """The compressed stream ended before its end-of-stream marker (a partial download)."""


class Counting(io.RawIOBase):
    """A raw stream that counts the bytes read from it (stdin cannot `tell`)."""

    def __init__(self, inner: BinaryIO) -> None:
        self._inner, self.count = inner, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


class Inflated(io.RawIOBase):
    """Decompressed bytes of `packed`, read in steps that each check the budget."""

    def __init__(self, label: str, packed: Counting, reader: Callable[[int], bytes], budget: Inflate) -> None:
        self._label, self._packed, self._read, self._budget, self.count = label, packed, reader, budget, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._check()
        try:
            data = self._read(min(len(buffer), _STEP))
        except EOFError as exc:
            raise Truncated(f"{self._label} stream cut short: {exc}") from None
        except (OSError, zlib.error, ValueError) as exc:  # a corrupt block, not a cut
            raise Truncated(f"{self._label} stream broken: {exc}") from None
        buffer[: len(data)] = data
        self.count += len(data)
        self._check()
        return len(data)

    def _check(self) -> None:
        out, packed, budget = self.count, max(self._packed.count, 1), self._budget
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


class _Zstd:
    """Zstandard frames one after another (``zstd`` concatenates them), truncation detected.

    ``zstandard``'s stream reader ends silently on a cut frame; a decompression object says whether
    its frame was complete (``eof``).
    """

    def __init__(self, packed: Counting) -> None:
        import zstandard  # imported here: only zstd input needs it

        self._error = zstandard.ZstdError
        self._new = zstandard.ZstdDecompressor().decompressobj
        self._packed, self._obj, self._fed, self._pending = packed, self._new(), False, b""

    def read(self, size: int) -> bytes:
        while len(self._pending) < size:
            chunk = self._obj.unused_data or self._packed.read(_ZSTD_FEED)
            if self._obj.eof:  # the frame ended: a next one may follow
                self._obj, self._fed = self._new(), False
            if not chunk:
                if self._fed and not self._obj.eof:
                    raise EOFError("Zstandard frame ended before its end")
                break
            self._fed = True
            try:
                self._pending += self._obj.decompress(chunk)
            except self._error as exc:  # a corrupt frame: zstandard's own type, none of OSError's
                raise ValueError(str(exc)) from None
        data, self._pending = self._pending[:size], self._pending[size:]
        return data


def _opener(kind: str, packed: Counting) -> Callable[[int], bytes]:
    if kind == "gzip":
        return gzip.GzipFile(fileobj=packed, mode="rb").read
    if kind == "bzip2":
        return bz2.BZ2File(packed, mode="rb").read
    return _Zstd(packed).read


class Prefixed(io.RawIOBase):
    """`head` (already read, to sniff) followed by the rest of `inner`."""

    def __init__(self, head: bytes, inner: BinaryIO) -> None:
        self._head, self._inner = head, inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            data, self._head = self._head[: len(buffer)], self._head[len(buffer) :]
        else:
            data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def read_head(stream: BinaryIO, size: int = SNIFF) -> bytes:
    """Up to `size` bytes (fewer only at the end of the stream)."""
    parts, wanted = [], size
    while wanted > 0:
        part = stream.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def compression(head: bytes) -> str | None:
    return next((kind for magic, kind in MAGIC.items() if head.startswith(magic)), None)


@contextlib.contextmanager
def opened(path: str | Path, budget: Inflate | None = None) -> Iterator[tuple[BinaryIO, bytes, str | None]]:
    """(plain stream, its first `SNIFF` bytes, compression or None) for a file or ``-`` (standard input).

    The stream starts at byte 0 (the head is read again). Reads may raise `Truncated` or `InflateLimit`.
    """
    with contextlib.ExitStack() as stack:
        raw: BinaryIO = sys.stdin.buffer if str(path) == "-" else stack.enter_context(open(path, "rb"))
        magic = read_head(raw, 4)
        kind = compression(magic)
        plain: BinaryIO = io.BufferedReader(Prefixed(magic, raw), SNIFF)
        if kind is not None:
            packed = Counting(plain)
            inflated = Inflated(kind, packed, _opener(kind, packed), budget or Inflate())
            plain = io.BufferedReader(inflated, SNIFF)
        head = read_head(plain)
        yield io.BufferedReader(Prefixed(head, plain), SNIFF), head, kind
