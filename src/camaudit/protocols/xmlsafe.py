"""Hostile-XML parsing and escaping shared by every XML codec (SADP, WS-Discovery, ONVIF).

Device XML is attacker-controlled, so parsing goes through defusedxml with DTDs, entity
declarations and external references all forbidden (the "billion laughs" and XXE attacks of
https://github.com/tiran/defusedxml#attack-vectors), with a byte cap before parsing and a depth
and element cap after it. Every failure surfaces as `ProtocolError`; nothing else escapes.

Builders escape text with `escape` (XML 1.0 §2.4, §2.11: `&`, `<`, `>` and, inside attributes,
quotes; `\\r` as a character reference so it survives end-of-line normalisation) and refuse
characters XML 1.0 cannot carry at all (§2.2 `Char`), since no escape exists for them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # only for the Element type and ParseError; parsing is defused
from collections.abc import Iterator

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from camaudit.errors import MessageTooLarge, ProtocolError

MAX_DEPTH = 32  # SOAP discovery replies nest 6 deep; anything past 32 is an attack, not a camera
MAX_ELEMENTS = 4096  # a ProbeMatch has ~40 elements; caps work done on a crafted flat document

# XML 1.0 §2.2 Char production, negated: characters no XML 1.0 document may contain.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PADDING = b" \t\r\n\x00"
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")

# Everything the parser stack is known to raise on bad input; wrapped as ProtocolError.
_PARSE_ERRORS = (
    ET.ParseError,
    DefusedXmlException,
    ValueError,
    LookupError,
    UnicodeError,
    RecursionError,
    TypeError,
)


def parse_xml(data: bytes, *, max_size: int, max_depth: int = MAX_DEPTH) -> ET.Element:
    """Parse untrusted XML bytes into an Element tree.

    Leading/trailing whitespace and NUL padding (seen after UDP payloads) are tolerated.

    Raises:
        MessageTooLarge: `data` is longer than `max_size` bytes.
        ProtocolError: malformed, not well-formed, has a DTD/entity/external reference, is
            nested deeper than `max_depth` or has more than MAX_ELEMENTS elements.
    """
    if len(data) > max_size:
        raise MessageTooLarge(f"XML message of {len(data)} bytes exceeds the {max_size}-byte cap")
    body = bytes(data).strip(_PADDING)
    if not body:
        raise ProtocolError("empty XML message")
    try:
        root: ET.Element = DET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except _PARSE_ERRORS as exc:
        raise ProtocolError(f"bad XML: {type(exc).__name__}: {exc}"[:200]) from None
    _check_shape(root, max_depth)
    return root


def _check_shape(root: ET.Element, max_depth: int) -> None:
    """Walk the tree without recursion; reject deep or huge trees before anyone recurses on them."""
    stack: list[tuple[ET.Element, int]] = [(root, 1)]
    seen = 0
    while stack:
        elem, depth = stack.pop()
        seen += 1
        if depth > max_depth:
            raise ProtocolError(f"XML nested deeper than {max_depth} levels")
        if seen > MAX_ELEMENTS:
            raise ProtocolError(f"XML has more than {MAX_ELEMENTS} elements")
        stack.extend((child, depth + 1) for child in elem)


def local_name(tag: str) -> str:
    """`{urn:ns}Name` -> `Name`; prefixes are already resolved by the parser."""
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def children(elem: ET.Element, name: str) -> list[ET.Element]:
    """Direct children whose local name is `name` (any namespace)."""
    return [child for child in elem if local_name(child.tag) == name]


def find_child(elem: ET.Element, name: str) -> ET.Element | None:
    """First direct child whose local name is `name`, or None."""
    for child in elem:
        if local_name(child.tag) == name:
            return child
    return None


def find_path(elem: ET.Element, *names: str) -> ET.Element | None:
    """Follow direct children by local name: `find_path(env, "Body", "Probe")`."""
    node: ET.Element | None = elem
    for name in names:
        if node is None:
            return None
        node = find_child(node, name)
    return node


def iter_descendants(elem: ET.Element, name: str) -> Iterator[ET.Element]:
    """Every descendant (document order, `elem` included) whose local name is `name`."""
    for node in elem.iter():
        if local_name(node.tag) == name:
            yield node


def text_of(elem: ET.Element | None) -> str:
    """The element's own text, stripped; "" when absent."""
    if elem is None or elem.text is None:
        return ""
    return elem.text.strip()


def child_text(elem: ET.Element, name: str) -> str | None:
    """Stripped text of the first child named `name`, or None when there is no such child."""
    child = find_child(elem, name)
    return None if child is None else text_of(child)


def escape(value: str, *, quote: bool = False) -> str:
    """Escape text for an XML 1.0 element body (or an attribute value when `quote`).

    Raises:
        ValueError: `value` holds a character XML 1.0 cannot represent (e.g. NUL, lone surrogate).
    """
    bad = _NOT_XML_CHAR.search(value)
    if bad:
        raise ValueError(f"character {bad.group()!r} cannot be carried in XML 1.0")
    out = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if quote:
        out = out.replace('"', "&quot;").replace("'", "&apos;").replace("\n", "&#10;").replace("\t", "&#9;")
    return out


def check_name(name: str) -> str:
    """Return `name` if it is a safe (ASCII, unprefixed) XML element name, else raise ValueError."""
    if not _XML_NAME.match(name) or name.lower().startswith("xml"):
        raise ValueError(f"not a safe XML element name: {name!r}")
    return name
