from __future__ import annotations

import contextlib
import struct
import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import mdns

FUZZ = settings(max_examples=200, database=None, deadline=None)

# A Hikvision DS-2CD2722FWD-IZS answering a `_CGI._tcp.local` browse, as node-dns-sd decoded it in
# 128keaton/hikvision-mdns test/cameras.json (one PTR answer; TXT path=/, SRV :80, A, two AAAA and two
# NSEC additionals, cache-flush set). Re-encoded with the name compression the NSEC next-names imply:
# their pointers 0xc027 and 0xc076 land exactly on the instance name and the SRV target below.
# (dpkt, which the first version of this codec used, refuses the whole message over the NSEC records.)
HIKVISION = bytes.fromhex(
    "000084000000000100000007045f434749045f746370056c6f63616c00000c000100001194002a2748494b564953494f"
    "4e2044532d324344323732324657442d495a53202d20373333303530303735c00cc02700108001000011940007067061"
    "74683d2fc0270021800100000078002f0000000000502644532d324344323732324657442d495a533230313730333231"
    "42425752373333303530303735c016c076000180010000007800040a0001a4c076001c8001000000780010fd0e2b247e"
    "0500011a68cbfffe15b284c076001c8001000000780010fe800000000000001a68cbfffe15b284c027002f8001000011"
    "940009c02700050000800040c076002f8001000000780008c076000440000008"
)
# Bytes Home Assistant's zeroconf logged in home-assistant/core#46815: a query for _axis-video._tcp
# carrying a known answer (RFC 6762 §7.1) for the camera "FrontYardCam", one compression pointer.
AXIS_KNOWN_ANSWER = (
    b"\x00\x00\x00\x00\x00\x01\x00\x01\x00\x00\x00\x00\x0b_axis-video\x04_tcp\x05local\x00\x00\x0c\x00\x01"
    b"\xc0\x0c\x00\x0c\x00\x01\x00\x00\x11u\x00\x0f\x0cFrontYardCam\xc0\x0c"
)
AXIS = mdns.ServiceInstance(
    "_axis-video._tcp.local",
    "AXIS M1014 - ACCC8E270AD8",
    "axis-accc8e270ad8.local",
    80,
    (("macaddress", "ACCC8E270AD8"),),
)


def _only_protocol_error(parse: Callable[[bytes], object], data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        parse(data)


def _header(qd: int = 0, an: int = 0, ar: int = 0, flags: int = 0x8400) -> bytes:
    return struct.pack(">HHHHHH", 0, flags, qd, an, 0, ar)


def test_query_bytes() -> None:
    data = mdns.build_query(("_axis-video._tcp.local",), query_id=0x1234)
    assert data == (
        b"\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
        b"\x0b_axis-video\x04_tcp\x05local\x00\x00\x0c\x80\x01"
    )
    query = mdns.parse_message(mdns.build_query())
    assert [q.text for q in query.questions] == list(mdns.BROWSE)
    assert all(q.type == mdns.TYPE_PTR and q.unicast for q in query.questions)
    assert mdns.is_query(data) and not query.is_response and query.records == ()


@pytest.mark.parametrize(
    "names", [(), ("evil.example.com",), ("_http._tcp.local\x00",), ("_a._tcp.local",) * 33]
)
def test_query_refuses_anything_but_service_types(names: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        mdns.build_query(names)


def test_hikvision_answer() -> None:
    fields = mdns.observation_fields(mdns.parse_response(HIKVISION))
    assert fields == {
        "mdns.services": "_CGI._tcp.local",
        "mdns.instance": "HIKVISION DS-2CD2722FWD-IZS - 733050075._CGI._tcp.local",
        "mdns.hostname": "DS-2CD2722FWD-IZS20170321BBWR733050075.local",
        "mdns.txt.path": "/",
    }
    message = mdns.parse_message(HIKVISION)
    assert {r.address for r in message.records if r.type == mdns.TYPE_A} == {"10.0.1.164"}
    assert [r.port for r in message.records if r.type == mdns.TYPE_SRV] == [80]
    assert len(message.records) == 6  # the two NSEC records are skipped, not refused


def test_known_answer_query_is_a_query() -> None:
    message = mdns.parse_message(AXIS_KNOWN_ANSWER)
    assert mdns.is_query(AXIS_KNOWN_ANSWER) and message.questions[0].text == "_axis-video._tcp.local"
    (ptr,) = message.records
    assert mdns.name_text(ptr.target) == "FrontYardCam._axis-video._tcp.local"
    with pytest.raises(ProtocolError, match="query"):
        mdns.parse_response(AXIS_KNOWN_ANSWER)


def test_build_response_answers_a_legacy_query() -> None:
    query = mdns.parse_message(mdns.build_query(query_id=77))
    assert mdns.asks_for(query, AXIS)
    data = mdns.build_response(query, AXIS, "192.168.1.102")
    reply = mdns.parse_message(data)
    # RFC 6762 §6.7: same id, the questions come back (without the QU bit), TTLs of at most 10 s.
    assert reply.id == 77 and reply.is_response
    assert reply.questions == tuple(mdns.Question(q.name, q.type) for q in query.questions)
    assert {r.ttl for r in reply.records} == {mdns.LEGACY_TTL}
    assert mdns.observation_fields(mdns.parse_response(data)) == {
        "mdns.services": "_axis-video._tcp.local",
        "mdns.instance": "AXIS M1014 - ACCC8E270AD8._axis-video._tcp.local",
        "mdns.hostname": "axis-accc8e270ad8.local",
        "mdns.txt.macaddress": "ACCC8E270AD8",
    }


def test_asks_for_is_case_insensitive_and_type_aware() -> None:
    upper = mdns.parse_message(mdns.build_query(("_AXIS-VIDEO._tcp.local",)))
    other = mdns.parse_message(mdns.build_query(("_http._tcp.local",)))
    assert mdns.asks_for(upper, AXIS) and not mdns.asks_for(other, AXIS)


def test_meta_query_answers_are_services() -> None:
    meta = mdns._pack_name(mdns.split_name(mdns.SERVICES))
    target = mdns._pack_name(mdns.split_name("_axis-video._tcp.local"))
    rr = meta + struct.pack(">HHIH", mdns.TYPE_PTR, 1, 10, len(target)) + target
    answer = mdns.parse_response(_header(an=1) + rr)
    assert answer.services == ("_axis-video._tcp.local",) and answer.instances == ()


def test_txt_is_lenient_bytes_and_bounded() -> None:
    strings = [
        b"macaddress=ACCC8E270AD8",
        b"bad key=1",
        b"flag",
        b"=novalue",
        b"v=\xff\xfe\x1b[2J",
        b"k=" + b"x" * 250,
    ]
    txt = b"".join(bytes([len(s)]) + s for s in strings)
    name = mdns._pack_name(("a", "_http", "_tcp", "local"))
    answer = mdns.parse_response(
        _header(an=1) + name + struct.pack(">HHIH", mdns.TYPE_TXT, 1, 10, len(txt)) + txt
    )
    assert answer.txt["macaddress"] == "ACCC8E270AD8"
    assert "bad key" not in answer.txt and "flag" not in answer.txt and "" not in answer.txt
    assert answer.txt["v"] == "\ufffd\ufffd[2J" and answer.txt["k"] == "x" * 250


def test_labels_with_dots_and_controls_stay_unambiguous() -> None:
    name = mdns._pack_name(("a.b\x1b", "_http", "_tcp", "local"))
    target = mdns._pack_name(("host",))
    rr = (
        mdns._pack_name(("_http", "_tcp", "local"))
        + struct.pack(">HHIH", mdns.TYPE_PTR, 1, 10, len(name))
        + name
    )
    srv = struct.pack(">HHH", 0, 0, 80) + target
    rr2 = name + struct.pack(">HHIH", mdns.TYPE_SRV, 1, 10, len(srv)) + srv
    fields = mdns.observation_fields(mdns.parse_response(_header(an=1, ar=1) + rr + rr2))
    assert fields["mdns.instance"] == "a\\.b._http._tcp.local"
    assert fields["mdns.services"] == "_http._tcp.local" and fields["mdns.hostname"] == "host"


def _ptr_record_at(name: bytes) -> bytes:
    return _header(an=1) + name + struct.pack(">HHIH", mdns.TYPE_PTR, 1, 10, 2) + b"\xc0\x0c"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "header"),
        (b"\x00" * 11, "header"),
        (_header(an=1) + b"\xc0\x0c" + b"\x00" * 10, "backwards"),  # points at itself
        (_header(an=1) + b"\xc0\x40" + b"\x00" * 80, "backwards"),  # points forwards
        (_header(an=1) + b"\x01a\xc0\x0c" + b"\x00" * 10, "backwards"),  # a label, then back to itself
        (_header(an=1) + b"\x01a\x00\x01b\xc0\x0c", "truncated"),  # later pointer to an earlier name
        (_header(an=1) + b"\x3fa", "truncated"),
        (_header(an=1) + b"\x40a\x00", "label type"),
        (_header(an=1) + (b"\x3f" + b"a" * 63) * 5 + b"\x00", "too long"),
        (_header(an=1) + b"\x00" + struct.pack(">HHIH", 1, 1, 1, 40), "truncated"),
        (_header(an=1) + b"\x00\x00\x01", "truncated"),
        (_header(qd=mdns.MAX_QUESTIONS + 1), "questions"),
        (_header(an=3) + b"\x00", "truncated"),
        (_header(flags=0), "query"),
    ],
)
def test_hostile_messages_are_protocol_errors(data: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        mdns.parse_response(data)


def _chain(length: int) -> bytes:
    """`length` A records, each owner name one label longer by pointing at the previous owner name."""
    data, previous = bytearray(_header(an=length)), 0
    for index in range(length):
        here = len(data)
        data += b"\x01a" + (struct.pack(">H", 0xC000 | previous) if index else b"\x00")
        data += struct.pack(">HHIH", mdns.TYPE_A, 1, 1, 4) + b"\x7f\x00\x00\x01"
        previous = here
    return bytes(data)


def test_pointer_chains_are_bounded() -> None:
    message = mdns.parse_message(_chain(mdns.MAX_HOPS))
    assert len(message.records[-1].name) == mdns.MAX_HOPS
    start = time.monotonic()
    with pytest.raises(ProtocolError, match="backwards"):
        mdns.parse_message(_chain(mdns.MAX_HOPS + 2))  # one pointer too many to follow
    assert time.monotonic() - start < 0.5


def test_oversized_message() -> None:
    with pytest.raises(MessageTooLarge):
        mdns.parse_response(HIKVISION + b"\x00" * mdns.MAX_MESSAGE)


def test_record_count_is_capped() -> None:
    record = (
        mdns._pack_name(("h", "local")) + struct.pack(">HHIH", mdns.TYPE_A, 1, 10, 4) + b"\x0a\x00\x00\x01"
    )
    message = mdns.parse_message(_header(an=300) + record * 300)
    assert len(message.records) == mdns.MAX_RECORDS


@FUZZ
@given(st.binary(max_size=600))
def test_arbitrary_bytes(data: bytes) -> None:
    _only_protocol_error(mdns.parse_response, data)
    _only_protocol_error(mdns.parse_message, data)
    mdns.is_query(data)


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bodies_behind_a_valid_header(body: bytes) -> None:
    _only_protocol_error(mdns.parse_response, _header(qd=1, an=4, ar=4) + body)


@FUZZ
@given(st.integers(0, len(HIKVISION)))
def test_truncations(cut: int) -> None:
    _only_protocol_error(mdns.parse_response, HIKVISION[:cut])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(HIKVISION) - 1), st.integers(0, 255)), min_size=1, max_size=10))
def test_mutations(edits: list[tuple[int, int]]) -> None:
    raw = bytearray(HIKVISION)
    for index, value in edits:
        raw[index] = value
    with contextlib.suppress(ProtocolError):
        fields = mdns.observation_fields(mdns.parse_response(bytes(raw)))
        assert all(len(v) <= mdns.MAX_VALUE * 2 for v in fields.values())


@FUZZ
@given(
    st.from_regex(r"[A-Za-z0-9(][A-Za-z0-9 ()-]{0,38}[A-Za-z0-9)]", fullmatch=True),
    st.from_regex(r"[a-z0-9-]{1,30}", fullmatch=True),
    st.integers(1, 65535),
    st.dictionaries(
        st.from_regex(r"[a-z]{1,10}", fullmatch=True), st.from_regex(r"[ -~]{0,40}", fullmatch=True)
    ),
)
def test_build_then_parse(instance: str, host: str, port: int, txt: dict[str, str]) -> None:
    offered = mdns.ServiceInstance("_http._tcp.local", instance, f"{host}.local", port, tuple(txt.items()))
    query = mdns.parse_message(mdns.build_query(("_http._tcp.local",)))
    data = mdns.build_response(query, offered, "10.1.2.3")
    answer = mdns.parse_response(data)
    assert answer.instances == (f"{instance}._http._tcp.local",)
    assert answer.hostnames == (f"{host}.local",)
    assert answer.txt == {k: v.strip() for k, v in txt.items()}
    srv = next(r for r in mdns.parse_message(data).records if r.type == mdns.TYPE_SRV)
    assert srv.port == port
