"""Readers of the scan files people already have, one module per format, one registry (`FORMATS`).

    from camaudit.sources.imports import read_file, Record, ImportProblem
    for item in read_file(path):            # a path, or "-" for standard input
        if isinstance(item, ImportProblem):  # a skipped record, or where the file stopped (item.fatal)
            ...
        else:                                # item.ip, item.observations, item.meta, item.time
            ...

Each format module exposes ``FORMAT`` (or several, for a tool with several outputs): a `Format` with
``sniff(head) -> bool`` and ``read(stream) -> Iterator[Record | ImportProblem]``. The format is found
from the content (the first `SNIFF` bytes after decompression, in `FORMATS` order), never from the name;
gzip, bzip2 and zstd are found by their magic. Memory stays constant: records stream one by one, and
a record that cannot be read is an `ImportProblem` with its line or byte, never a lost file.
A guard test fails when a module here is missing from `FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from camaudit.errors import BadImportFile
from camaudit.sources.imports import censys, masscan, nessus, nmap_xml, runzero, shodan, zgrab2, zmap
from camaudit.sources.imports._base import CLAIM_KIND, META_KEYS, Format, ImportProblem, Item, Record
from camaudit.sources.imports._stream import SNIFF, Truncated, opened
from camaudit.sources.passive.inflate import Inflate, InflateLimit
from camaudit.values import is_address

# Order matters only where two sniffers could both answer: XML documents first, then the JSON shapes
# from the most specific keys to the least, then the line formats.
FORMATS: tuple[Format, ...] = (
    nmap_xml.FORMAT,
    nmap_xml.MASSCAN_FORMAT,
    nessus.FORMAT,
    shodan.FORMAT,
    censys.FORMAT,
    runzero.FORMAT,
    zgrab2.FORMAT,
    masscan.JSON_FORMAT,
    masscan.LIST_FORMAT,
    zmap.FORMAT,
)
BY_NAME = {f.name: f for f in FORMATS}

__all__ = [
    "BY_NAME",
    "CLAIM_KIND",
    "FORMATS",
    "META_KEYS",
    "SNIFF",
    "Format",
    "ImportProblem",
    "Item",
    "Record",
    "detect",
    "guarded",
    "is_address",
    "read_file",
]


def detect(head: bytes) -> Format | None:
    """The format whose sniffer recognises these first bytes (decompressed), or None."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")  # a UTF-8 byte-order mark or blank lines first
    return next((f for f in FORMATS if f.sniff(start)), None)


def read_file(
    path: str | Path,
    budget: Inflate | None = None,
    *,
    fmt: str | None = None,
    on_format: Callable[[str], None] | None = None,
) -> Iterator[Item]:
    """Every record and problem of one file (``-``: standard input), its format found from its content
    (or forced with `fmt`, a name of `BY_NAME`). `on_format` hears the format chosen (``shodan+gzip``).

    Raises BadImportFile when the file cannot be opened or is no known format (nothing was read).
    A stream cut short or past its inflation `budget` ends with a fatal `ImportProblem`.
    """
    try:
        with opened(path, budget) as (stream, head, packing):
            chosen = BY_NAME.get(fmt) if fmt else detect(head)
            if chosen is None:
                raise BadImportFile(_unknown(path, head, packing))
            if on_format is not None:
                on_format(f"{chosen.name}+{packing}" if packing else chosen.name)
            yield from guarded(chosen.read(stream))
    except (Truncated, InflateLimit) as exc:  # within the first bytes, before any record
        yield ImportProblem("byte 0", str(exc), fatal=True)
    except OSError as exc:
        raise BadImportFile(f"{path}: cannot read: {exc.strerror or exc}") from None


def guarded(items: Iterator[Item]) -> Iterator[Item]:
    """The reader's items, a record whose address is not an IP address made a problem; a compressed
    stream that ends early ends the file with a warning. Whoever reads a format's `read` directly (the
    census's byte ranges and its Shodan fast path) passes its items through here too."""
    count = 0
    try:
        for item in items:
            if isinstance(item, Record) and not is_address(item.ip):  # a host name, or worse
                yield ImportProblem(item.where, f"not an IP address: {item.ip[:60]!r}")
                continue
            count += isinstance(item, Record)
            yield item
    except Truncated as exc:
        yield ImportProblem(f"after record {count}", f"{exc}; the records before it were read", fatal=True)
    except InflateLimit as exc:
        yield ImportProblem(f"after record {count}", str(exc), fatal=True)


def _unknown(path: str | Path, head: bytes, packing: str | None) -> str:
    if not head.strip():
        return f"{path}: empty{' after ' + packing + ' decompression' if packing else ''}"
    names = ", ".join(f.name for f in FORMATS)
    return f"{path}: byte 0: not a known scan export ({names})"
