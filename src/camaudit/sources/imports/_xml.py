"""Big XML files (nmap ``-oX``, masscan ``-oX``, Nessus ``.nessus``) streamed one record element at a time.

Import files are hostile input, so parsing is defusedxml's `iterparse` (entity declarations and
external references forbidden: the "billion laughs" and XXE attacks; a bare ``<!DOCTYPE nmaprun>``, as
nmap writes, is allowed because it declares nothing). Each finished record element (``host``,
``ReportHost``) is handed over and then cleared and detached from its parent, so a 100,000-host file
is read in the memory of one host. Caps: elements per record, nesting depth, and bytes read without
the parser finishing an element (one 2 GB attribute would otherwise be held whole).

XML cannot resume after an error: a file that stops being well-formed ends with a fatal problem
naming the line and column, and every record before it has been read.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET  # the Element type and ParseError only; parsing is defused
from collections.abc import Iterator
from typing import Any, BinaryIO

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from camaudit.protocols.xmlsafe import local_name, text_of

__all__ = ["attr", "child", "kids", "local_name", "records", "text_of"]
import contextlib

from camaudit.sources.imports._base import ImportProblem

MAX_RECORD_ELEMENTS = 50_000  # a host with every port and script table is a few thousand elements
MAX_DEPTH = 64  # nmap nests script tables a dozen deep
MAX_GAP = 16 << 20  # bytes read without the parser finishing one element


class _TooBig(Exception):
    pass


class _Gauge(io.RawIOBase):
    """The source, counting bytes; refuses to read far past the last finished element."""

    def __init__(self, inner: BinaryIO) -> None:
        self._inner, self.count, self.mark = inner, 0, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.count - self.mark > MAX_GAP:
            raise _TooBig(f"more than {MAX_GAP >> 20} MiB inside one XML element")
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


Event = tuple[str, ET.Element] | ImportProblem


def records(stream: BinaryIO, tag: str) -> Iterator[Event]:
    """``("root", element)`` once, then ``("record", element)`` for every finished `tag` element
    (cleared after the caller's next step), or problems (oversized records, the fatal error)."""
    gauge = _Gauge(stream)
    events = DET.iterparse(io.BufferedReader(gauge), events=("start", "end"), forbid_dtd=False)
    try:
        yield from _walk(events, tag, gauge)
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        yield ImportProblem(
            f"line {line}, column {column}", f"not well-formed XML ({exc}); the rest was not read", True
        )
    except DefusedXmlException as exc:
        yield ImportProblem(
            f"byte {gauge.count}", f"refused XML construct: {exc}; the rest was not read", True
        )
    except _TooBig as exc:
        yield ImportProblem(f"byte {gauge.count}", f"{exc}; the rest was not read", True)
    except RecursionError:
        yield ImportProblem(f"byte {gauge.count}", "XML nested too deeply; the rest was not read", True)
    except (LookupError, ValueError) as exc:  # expat: an unknown or multi-byte declared encoding
        yield ImportProblem(f"byte {gauge.count}", f"XML not readable: {exc}; the rest was not read", True)


def _walk(events: Iterator[tuple[str, Any]], tag: str, gauge: _Gauge) -> Iterator[Event]:
    stack: list[ET.Element] = []
    inside, count, number = False, 0, 0
    for event, elem in events:
        gauge.mark = gauge.count
        if event == "start":
            stack.append(elem)
            if len(stack) > MAX_DEPTH:
                yield ImportProblem(
                    f"byte {gauge.count}", f"XML nested deeper than {MAX_DEPTH}; the rest was not read", True
                )
                return
            if len(stack) == 1:
                yield "root", elem
            elif local_name(elem.tag) == tag:
                inside, count, number = True, 0, number + 1
            continue
        stack.pop()
        if not inside:
            if len(stack) > 1:  # outside any record (nmap's <runstats>, Nessus' <Policy>): not kept
                elem.clear()
            continue
        count += 1
        if local_name(elem.tag) == tag:
            inside = False
            if count > MAX_RECORD_ELEMENTS:
                yield ImportProblem(f"{tag} {number}", f"more than {MAX_RECORD_ELEMENTS} elements: skipped")
            else:
                yield "record", elem
            _drop(elem, stack)
        elif count > MAX_RECORD_ELEMENTS:
            elem.clear()  # over the cap: keep nothing more of this record


def _drop(elem: ET.Element, stack: list[ET.Element]) -> None:
    elem.clear()
    if stack:
        with contextlib.suppress(ValueError):
            stack[-1].remove(elem)


def attr(elem: ET.Element | None, name: str) -> str:
    return "" if elem is None else (elem.get(name) or "")


def child(elem: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in elem if local_name(c.tag) == name), None)


def kids(elem: ET.Element | None, name: str) -> list[ET.Element]:
    return [] if elem is None else [c for c in elem if local_name(c.tag) == name]
