from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import xmlsafe

FUZZ = settings(max_examples=200, database=None, deadline=None)
# Text XML 1.0 can carry (§2.2 Char), for round trips through escape().
XML_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8",
        exclude_categories=("Cs",),
        exclude_characters="".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\ufffe\uffff",
    ),
    max_size=200,
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>"""
EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>'
PARAMETER_ENTITY = b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p">%p;]><r/>'


def _parse(data: bytes) -> None:
    xmlsafe.parse_xml(data, max_size=4096)


def test_parses_namespaced_document_and_finds_by_local_name() -> None:
    root = xmlsafe.parse_xml(
        b'<s:Envelope xmlns:s="urn:a"><s:Body><x:Op xmlns:x="urn:b"><x:V> 1 </x:V><x:V>2</x:V>'
        b"</x:Op></s:Body></s:Envelope>",
        max_size=1000,
    )
    assert xmlsafe.local_name(root.tag) == "Envelope"
    op = xmlsafe.find_path(root, "Body", "Op")
    assert op is not None and op.tag == "{urn:b}Op"
    assert [xmlsafe.text_of(v) for v in xmlsafe.children(op, "V")] == ["1", "2"]
    assert xmlsafe.child_text(op, "V") == "1"
    assert xmlsafe.child_text(op, "Missing") is None
    assert xmlsafe.find_path(root, "Body", "Nope", "V") is None
    assert [e.text for e in xmlsafe.iter_descendants(root, "V")] == [" 1 ", "2"]


def test_local_name() -> None:
    assert xmlsafe.local_name("{http://x/y}Name") == "Name"
    assert xmlsafe.local_name("Name") == "Name"


@pytest.mark.parametrize(
    "data",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["bomb", "xxe", "external-dtd", "parameter-entity"],
)
def test_refuses_dtds_and_entities(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        _parse(data)


def test_refuses_deep_nesting_even_within_the_size_cap() -> None:
    deep = b"<a>" * 5000 + b"</a>" * 5000
    with pytest.raises(ProtocolError, match="nested deeper"):
        xmlsafe.parse_xml(deep, max_size=len(deep))
    ok = b"<a>" * 32 + b"</a>" * 32
    assert xmlsafe.parse_xml(ok, max_size=1000).tag == "a"


def test_refuses_too_many_elements() -> None:
    flat = b"<r>" + b"<e/>" * (xmlsafe.MAX_ELEMENTS + 1) + b"</r>"
    with pytest.raises(ProtocolError, match="elements"):
        xmlsafe.parse_xml(flat, max_size=len(flat))


def test_size_cap_raises_message_too_large() -> None:
    with pytest.raises(MessageTooLarge):
        xmlsafe.parse_xml(b"<a>" + b"x" * 100 + b"</a>", max_size=50)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \x00",
        b"<a>\xff\xfe</a>",  # invalid UTF-8
        b'<?xml version="1.0" encoding="no-such-codec"?><a/>',
        b'<?xml version="1.0" encoding="utf-16"?><a/>',
        b"<a><b></a>",
        b"<p:a/>",  # unbound prefix
        b"<a>&#0;</a>",  # NUL by character reference
        b"<a/><b/>",
    ],
)
def test_malformed_input_is_protocol_error(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        _parse(data)


def test_tolerates_padding_around_the_document() -> None:
    assert xmlsafe.parse_xml(b'\r\n <?xml version="1.0"?><a>x</a>\x00\x00', max_size=100).text == "x"


def test_markup_in_text_comes_back_as_plain_text() -> None:
    root = xmlsafe.parse_xml(b"<m>&lt;script&gt;alert(1)&lt;/script&gt;</m>", max_size=100)
    assert root.text == "<script>alert(1)</script>"


@FUZZ
@given(XML_TEXT)
def test_escape_round_trips_text(value: str) -> None:
    root = xmlsafe.parse_xml(f"<a>{xmlsafe.escape(value)}</a>".encode(), max_size=10_000)
    assert (root.text or "") == value


@FUZZ
@given(XML_TEXT)
def test_escape_round_trips_attributes(value: str) -> None:
    root = xmlsafe.parse_xml(f'<a v="{xmlsafe.escape(value, quote=True)}"/>'.encode(), max_size=10_000)
    assert root.get("v") == value


@pytest.mark.parametrize("value", ["\x00", "a\x1bb", "\ud800", "\ufffe"])
def test_escape_refuses_what_xml_cannot_carry(value: str) -> None:
    with pytest.raises(ValueError):
        xmlsafe.escape(value)


@pytest.mark.parametrize("name", ["DeviceSN", "IPv4Address", "a.b-c_d"])
def test_check_name_accepts_plain_names(name: str) -> None:
    assert xmlsafe.check_name(name) == name


@pytest.mark.parametrize("name", ["", "1a", "a b", "a>", "p:a", "xmlFoo", "<script>"])
def test_check_name_refuses_unsafe_names(name: str) -> None:
    with pytest.raises(ValueError):
        xmlsafe.check_name(name)


@FUZZ
@given(st.binary(max_size=600))
def test_arbitrary_bytes_raise_only_protocol_error(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        _parse(data)


@FUZZ
@given(st.data())
def test_mutated_bomb_raises_only_protocol_error(data: st.DataObject) -> None:
    raw = bytearray(BILLION_LAUGHS)
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    with contextlib.suppress(ProtocolError):
        _parse(bytes(raw[: data.draw(st.integers(0, len(raw)))]))
