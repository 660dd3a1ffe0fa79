"""A shard of a census and its partial counts: the one function every engine runs.

A shard is a whole file, or a byte range of an uncompressed file of JSON or text lines (a compressed
stream cannot be entered in the middle in any engine). A range owns the lines that *start* inside it,
so neighbouring ranges never share a line and none is lost.

`count(shard, out_dir, window_days)` reads the shard with the import readers, classifies each record
and writes its partial counts as one Parquet file: a row per (dimensions, address, time window,
device key) with the number of banners, and in the file's metadata the records read, the records
skipped and the first problems. It is idempotent: the file's name is derived from the shard, it is
written under a temporary name and renamed, so an engine that runs a shard twice (a worker lost
mid-run) leaves one file, counted once.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

from camaudit.census.classify import DIMENSIONS, Classifier, Counted
from camaudit.census.fast import FastShodan
from camaudit.sources.imports import BY_NAME, ImportProblem, guarded, read_file
from camaudit.sources.imports._stream import SNIFF, compression, read_head

LINE_FORMATS = frozenset({"shodan", "censys", "zgrab2", "masscan_list"})  # one record a line, no header
SHARD_BYTES = 64 << 20  # a plain file is split into ranges of about this size
FLUSH_ROWS = 100_000  # distinct rows held before they are written out (constant memory)
MAX_PROBLEMS = 20  # problems kept with their text per shard; the rest are counted
COLUMNS = (*DIMENSIONS, "ip", "window", "device", "banners")


@dataclass(frozen=True, slots=True)
class Shard:
    """A file (`end` = -1) or the byte range [`start`, `end`) of an uncompressed file."""

    path: str
    start: int = 0
    end: int = -1
    fmt: str = ""

    @property
    def name(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def __str__(self) -> str:
        return self.path if self.end < 0 else f"{self.path} [bytes {self.start}-{self.end})"


def plan(paths: list[str], shard_bytes: int = SHARD_BYTES) -> list[Shard]:
    """Shards for these files: plain line files larger than `shard_bytes` split into byte ranges."""
    shards: list[Shard] = []
    for path in paths:
        shards.extend(_file_shards(path, shard_bytes))
    return shards


def _file_shards(path: str, shard_bytes: int) -> list[Shard]:
    if path == "-" or not _regular(path):
        return [Shard(path)]
    with open(path, "rb") as stream:
        head = read_head(stream, SNIFF)
    if compression(head) is not None:
        return [Shard(path)]
    from camaudit.sources.imports import detect

    found = detect(head)
    size = os.path.getsize(path)
    if found is None or found.name not in LINE_FORMATS or size <= shard_bytes:
        return [Shard(path)]
    cuts = [*range(0, size, shard_bytes), size]
    return [Shard(path, a, b, found.name) for a, b in itertools.pairwise(cuts)]


def _aligned(stream: BinaryIO, offset: int) -> int:
    """The first line start at or after `offset`."""
    if offset == 0:
        return 0
    stream.seek(offset - 1)
    if stream.read(1) == b"\n":
        return offset
    stream.readline()
    return stream.tell()


class _Window(io.RawIOBase):
    """Bytes [start, end) of a file."""

    def __init__(self, stream: BinaryIO, start: int, end: int) -> None:
        self._stream, self._left = stream, end - start
        stream.seek(start)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(min(len(buffer), self._left))
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)


def counted(shard: Shard, classifier: Classifier, fast: bool = True) -> Iterator[Counted | ImportProblem]:
    """Every record of the shard counted, and every problem. Shodan lines take the fast path
    (`census.fast`) unless `fast` is False; everything else goes through the import readers."""
    if shard.end < 0:
        if fast and shard.path != "-" and _regular(shard.path) and _is_plain_shodan(shard.path):
            with open(shard.path, "rb") as stream:
                yield from FastShodan(classifier).read(stream)
            return
        for item in read_file(shard.path):
            yield item if isinstance(item, ImportProblem) else classifier.counted(item)
        return
    with open(shard.path, "rb") as stream:
        start, end = _aligned(stream, shard.start), _aligned(stream, shard.end)
        if start >= end:
            return
        window = io.BufferedReader(_Window(stream, start, end), SNIFF)
        prefix = f"from byte {start}, "  # lines count from the range: say where it starts
        if fast and shard.fmt == "shodan":
            yield from FastShodan(classifier).read(window, prefix)
            return
        for item in guarded(BY_NAME[shard.fmt].read(window)):  # as read_file does
            if isinstance(item, ImportProblem):
                yield ImportProblem(prefix + item.where, item.reason, item.fatal)
            else:
                yield classifier.counted(item)


def _regular(path: str) -> bool:
    """A file that can be opened twice: a FIFO (``census <(zcat x.gz)``), a pipe or a device is read once,
    as standard input is (sniffing it first took the head its reader then waited for: the census hung)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # let the reader's own open say why it cannot


def _is_plain_shodan(path: str) -> bool:
    """A plain (uncompressed) file of Shodan banner lines: the fast path reads it directly."""
    from camaudit.sources.imports import detect

    with open(path, "rb") as stream:
        head = read_head(stream, SNIFF)
    found = detect(head) if compression(head) is None else None
    return found is not None and found.name == "shodan" and head.lstrip().startswith(b"{")


@dataclass(slots=True)
class Partial:
    """What one shard counted (its rows are in the Parquet file at `path`)."""

    path: str
    shard: str
    records: int = 0
    skipped: int = 0
    cut: bool = False
    problems: tuple[str, ...] = ()


def count(
    shard: Shard, out_dir: str, window_days: int = 30, offline_geo: bool = True, fast: bool = True
) -> Partial:
    """The partial counts of one shard, written to ``out_dir/<shard name>.parquet`` (see module doc)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    classifier = Classifier(window_days, offline_geo)
    final = Path(out_dir) / f"{shard.name}.parquet"
    temporary = final.with_suffix(f".{os.getpid()}.tmp")
    partial = Partial(str(final), str(shard))
    problems: list[str] = []
    rows: dict[tuple[object, ...], int] = {}
    schema = pa.schema([(c, pa.int64() if c in ("window", "banners") else pa.string()) for c in COLUMNS])
    with pq.ParquetWriter(temporary, schema, compression="zstd") as writer:
        for item in counted(shard, classifier, fast):
            if isinstance(item, ImportProblem):
                partial.skipped += not item.fatal
                partial.cut = partial.cut or item.fatal
                if len(problems) < MAX_PROBLEMS:
                    problems.append(f"{shard}: {item}")
                continue
            key = (*item.dims, item.ip, item.window, item.device)
            rows[key] = rows.get(key, 0) + 1
            partial.records += 1
            if len(rows) >= FLUSH_ROWS:
                _flush(writer, schema, rows)
        _flush(writer, schema, rows)
        partial.problems = tuple(problems)
        writer.add_key_value_metadata({"camaudit.partial": json.dumps(asdict(partial) | {"path": ""})})
    os.replace(temporary, final)
    return partial


def _flush(writer: Any, schema: Any, rows: dict[tuple[object, ...], int]) -> None:
    if not rows:
        return
    import pyarrow as pa

    columns: list[list[object]] = [[] for _ in COLUMNS]
    for key, banners in rows.items():
        for column, value in zip(columns, (*key, banners), strict=True):
            column.append(value)
    writer.write_table(
        pa.Table.from_arrays(
            [pa.array(c, schema.field(i).type) for i, c in enumerate(columns)], schema=schema
        )
    )
    rows.clear()


def read_partial(path: str) -> Partial:
    """The counts a partial file carries in its metadata (its rows stay on disk)."""
    import pyarrow.parquet as pq

    found = pq.read_metadata(path)
    columns = [(f.name, str(f.type)) for f in found.schema.to_arrow_schema()]
    if columns != [(c, "int64" if c in ("window", "banners") else "string") for c in COLUMNS]:
        raise ValueError(f"{path}: not a camaudit census partial (its columns are not {', '.join(COLUMNS)})")
    meta = found.metadata or {}
    try:  # a partial may come from another run or another person: its metadata is read as hostile
        data = json.loads(meta.get(b"camaudit.partial", b"{}"))
        problems = data.get("problems", ())
        if not isinstance(problems, list | tuple):
            raise TypeError("problems is not a list")
        return Partial(
            path=path,
            shard=str(data.get("shard", path)),
            records=int(data.get("records", 0)),
            skipped=int(data.get("skipped", 0)),
            cut=bool(data.get("cut", False)),
            problems=tuple(str(p) for p in problems[:MAX_PROBLEMS]),
        )
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise ValueError(f"{path}: not a camaudit census partial ({exc})") from None
