"""JSON inputs, streamed: JSON lines (Shodan, zgrab2, Censys exports, runZero ``.jsonl``), masscan's
line-per-record array, and one-document files (a host view, a runZero ``.json`` array) up to a cap.

A record that does not parse is an `ImportProblem` naming its line (or, in one document, the byte
where the parser stopped) and the stream goes on; only a document too large to hold is refused whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO

from camaudit.sources.imports._base import ImportProblem, Item

MAX_LINE = 4 << 20  # bytes of one JSON line (a Shodan banner with a screenshot is ~1 MB)
MAX_DOCUMENT = 64 << 20  # bytes of a one-document file (a host view); larger ones must be JSON lines
_SEPARATORS = frozenset({"[", "]", ",", ""})  # masscan -oJ: "[", records each followed by ",", "]"

Convert = Callable[[Mapping[str, Any], str], Iterator[Item]]


def loads(text: bytes | str) -> Any:
    """`json.loads` that never recurses without bound (a 10 KB ``[[[[…`` is an error, not a crash)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes without the newline), or None for a line longer than `MAX_LINE` (skipped)."""
    number = 0
    while line := stream.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while (rest := stream.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                pass
            yield number, None
            continue
        yield number, line.rstrip(b"\r\n")


def first_value_line(head: bytes) -> bytes:
    """The first line of `head` that is neither blank nor an array bracket."""
    for line in head.splitlines():
        text = line.strip()
        if text not in (b"", b"[", b"]", b","):
            return text
    return b""


def _object_line(text: bytes) -> Any:
    """The JSON object a whole line holds, or None (a line of a pretty-printed document)."""
    if not text.startswith(b"{"):
        return None
    try:
        value = loads(text.rstrip(b","))
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def records(stream: BinaryIO, convert: Convert) -> Iterator[Item]:
    """Every JSON object of the stream through `convert`: JSON lines when the first record is a whole
    object on one line (streamed), else one document (an array or an object) read up to `MAX_DOCUMENT`."""
    seen: list[bytes] = []
    for number, line in lines(stream):
        if line is None:  # a first record too long to be a line of a document worth reading
            yield ImportProblem(f"line {number}", f"longer than {MAX_LINE} bytes: skipped")
            yield from _from_lines(stream, convert, number)
            return
        text = line.strip()
        if text.decode("latin-1") in _SEPARATORS:
            seen.append(line)
            continue
        value = _object_line(text)
        if value is not None:
            yield from converted(convert, value, f"line {number}")
            yield from _from_lines(stream, convert, number)
        else:
            yield from _from_document(b"\n".join([*seen, line, b""]), stream, convert)
        return


def _from_lines(stream: BinaryIO, convert: Convert, after: int = 0) -> Iterator[Item]:
    for number, line in lines(stream):
        where = f"line {number + after}"
        if line is None:
            yield ImportProblem(where, f"longer than {MAX_LINE} bytes: skipped")
            continue
        text = line.strip()
        if text.decode("latin-1") in _SEPARATORS:
            continue
        try:
            value = loads(text.rstrip(b","))
        except (ValueError, UnicodeDecodeError) as exc:
            yield ImportProblem(where, f"not JSON: {exc}")
            continue
        if not isinstance(value, dict):
            yield ImportProblem(where, "not a JSON object")
            continue
        yield from converted(convert, value, where)


def _from_document(start: bytes, stream: BinaryIO, convert: Convert) -> Iterator[Item]:
    data = start + stream.read(MAX_DOCUMENT + 1 - len(start))
    if len(data) > MAX_DOCUMENT:
        reason = f"one JSON document larger than {MAX_DOCUMENT >> 20} MiB: not read (write it as JSON lines)"
        yield ImportProblem("byte 0", reason, fatal=True)
        return
    try:
        value = loads(data)
    except json.JSONDecodeError as exc:
        yield ImportProblem(f"byte {exc.pos}", f"not JSON: {exc.msg}", fatal=True)
        return
    except (ValueError, UnicodeDecodeError) as exc:
        yield ImportProblem("byte 0", f"not JSON: {exc}", fatal=True)
        return
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items, 1):
        where = f"record {index}"
        if isinstance(item, dict):
            yield from converted(convert, item, where)
        else:
            yield ImportProblem(where, "not a JSON object")


def converted(convert: Convert, value: Mapping[str, Any], where: str) -> Iterator[Item]:
    """`convert`'s items; a record whose shape is wrong becomes a problem, never a crash."""
    try:
        yield from list(convert(value, where))
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        yield ImportProblem(where, f"unexpected record shape: {type(exc).__name__}: {exc}")


# --------------------------------------------------------------------------- small accessors


def text(value: Any, cap: int = 256 * 1024) -> str:
    """A JSON scalar as bounded text ("" for null or a structure)."""
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)[:cap]


def port_of(value: Any) -> int | None:
    try:
        port = int(value)
    except (TypeError, ValueError, OverflowError):  # JSON's Infinity is a float int() cannot take
        return None
    return port if 0 <= port <= 65535 else None


def obj(value: Any, key: str) -> Mapping[str, Any]:
    found = value.get(key) if isinstance(value, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def seq(value: Any, key: str) -> list[Any]:
    found = value.get(key) if isinstance(value, Mapping) else None
    return found if isinstance(found, list) else []
