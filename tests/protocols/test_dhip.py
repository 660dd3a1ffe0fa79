from __future__ import annotations

import contextlib
import json
import struct
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import dhip

FUZZ = settings(max_examples=200, database=None, deadline=None)

# devices.md §2.1: the DHDiscover.search probe as DahuaConsole sends it, 32-byte header + 58-byte body.
SEARCH_HEADER = bytes.fromhex(
    "20000000 44484950 00000000 00000000 3a000000 00000000 3a000000 00000000".replace(" ", "")
)
SEARCH_BODY = b'{"method":"DHDiscover.search","params":{"mac":"","uni":1}}'

# /work/shared/reference/dahua/: the real VTO2000A reply (rroller/dahua test_discovery.py MEASURED),
# re-typed here as the device's JSON text with the trailing "\n\0" devices append.
VTO2000A_JSON = (
    b'{"mac":"3c:ef:8c:41:6c:ce","method":"client.notifyDevInfo","params":{"deviceInfo":{'
    b'"AlarmInputChannels":8,"AlarmOutputChannels":0,"DeviceClass":"VTO","DeviceType":"VTO2000A",'
    b'"Find":"BC","HttpPort":80,"Init":150,"IPv4Address":{"IPAddress":"192.168.0.232",'
    b'"SubnetMask":"255.255.255.0","DefaultGateway":"192.168.0.4","DhcpEnable":false},'
    b'"MachineName":"3C06520PAN00001","Manufacturer":"General","Port":37777,'
    b'"RemoteVideoInputChannels":0,"SerialNo":"3C06520PAN00001","Vendor":"General",'
    b'"Version":"3.120.0000.0.R","VideoInputChannels":1,"VideoOutputChannels":16}}}\n\x00'
)


def _frame(
    body: bytes, *, length: int | None = None, length2: int | None = None, magic: bytes = b"DHIP"
) -> bytes:
    n = len(body) if length is None else length
    n2 = n if length2 is None else length2
    return struct.pack("<I4sIIIIII", 32, magic, 0, 0, n, 0, n2, 0) + body


VTO2000A = _frame(VTO2000A_JSON)


def _only_protocol_error(parse: Callable[[bytes], object], data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        parse(data)


def test_search_bytes_match_the_public_probe() -> None:
    assert dhip.build_search() == SEARCH_HEADER + SEARCH_BODY
    assert dhip.HEADER_SIZE == 32 and dhip.PORT == 37810 and dhip.MULTICAST_GROUP == "239.255.255.251"


def test_search_round_trip() -> None:
    msg = dhip.parse_message(dhip.build_search())
    assert dhip.is_search(msg)
    assert msg.body == {"method": "DHDiscover.search", "params": {"mac": "", "uni": 1}}
    assert not dhip.is_search(dhip.parse_message(VTO2000A))


def test_search_variant_with_uni_0_and_trailing_newline_inside_the_length() -> None:
    # UniversalScanner's variant: "uni":0 and a "\n" counted in the body length.
    msg = dhip.parse_message(_frame(b'{"method":"DHDiscover.search","params":{"mac":"","uni":0}}\n'))
    assert dhip.is_search(msg)


def test_real_vto2000a_reply() -> None:
    msg = dhip.parse_message(VTO2000A)
    assert msg.session == 0 and msg.request_id == 0
    fields = dhip.observation_fields(msg)
    assert fields["dhip.mac"] == "3c:ef:8c:41:6c:ce"
    assert fields["dhip.DeviceClass"] == "VTO"
    assert fields["dhip.DeviceType"] == "VTO2000A"
    assert fields["dhip.Vendor"] == "General"
    assert fields["dhip.Version"] == "3.120.0000.0.R"
    assert fields["dhip.SerialNo"] == "3C06520PAN00001"
    assert fields["dhip.Port"] == "37777"
    assert fields["dhip.Init"] == "150"
    assert fields["dhip.IPv4Address.IPAddress"] == "192.168.0.232"
    assert fields["dhip.IPv4Address.DhcpEnable"] == "false"
    assert len(fields) == 22 and fields["dhip.method"] == "client.notifyDevInfo"


def test_trailing_padding_after_the_declared_body_is_tolerated() -> None:
    data = _frame(VTO2000A_JSON[:-2]) + b"\n\x00"
    assert dhip.parse_message(data).body["mac"] == "3c:ef:8c:41:6c:ce"


@pytest.mark.parametrize(
    ("vendor", "device_info", "expect"),
    [
        # Lorex W461ASC (Rapid7 LOREX_DISCOVER.rb comment, devices.md §2.1): Vendor tells the OEM.
        (
            "00:1f:54:aa:bb:cc",
            {"DeviceClass": "IPC", "DeviceType": "W461ASC", "HttpPort": 80, "Port3": 80, "Port": 35000,
             "UnLoginFuncMask": 1, "Manufacturer": "Private", "Vendor": "Lorex",
             "Version": "2.800.030000000.3.R", "Init": 1162, "Find": "BC", "FindVersion": 1},
            {"dhip.Vendor": "Lorex", "dhip.Port": "35000", "dhip.Version": "2.800.030000000.3.R"},
        ),
        # BCS (Polish Dahua OEM, Shadowserver DVR-DHCPDiscover feed shape): Vendor "General".
        (
            "38:c4:e8:01:02:03",
            {"DeviceClass": "IPC", "DeviceType": "BCS-TIP3401IR-E-V", "Vendor": "General",
             "Manufacturer": "General", "Version": "2.800.106F004.0.R"},
            {"dhip.DeviceType": "BCS-TIP3401IR-E-V", "dhip.Manufacturer": "General"},
        ),
    ],
)  # fmt: skip
def test_oem_replies_round_trip(vendor: str, device_info: dict[str, Any], expect: dict[str, str]) -> None:
    msg = dhip.parse_message(dhip.build_device_info_reply(vendor, device_info))
    assert msg.body["method"] == "client.notifyDevInfo"
    assert msg.body["params"]["deviceInfo"] == device_info
    fields = dhip.observation_fields(msg)
    assert fields["dhip.mac"] == vendor
    assert expect.items() <= fields.items()


def test_observation_fields_skip_nulls_render_lists_and_never_raise() -> None:
    msg = dhip.DhipMessage(0, 0, {"mac": 5, "params": {"deviceInfo": {"A": None, "B": [1, "x"], "C": 1.5}}})
    assert dhip.observation_fields(msg) == {"dhip.B": '[1,"x"]', "dhip.C": "1.5"}
    assert dhip.observation_fields(dhip.DhipMessage(0, 0, {"params": "nope"})) == {}
    assert dhip.observation_fields(dhip.DhipMessage(0, 0, {"params": {"deviceInfo": []}})) == {}


def test_markup_in_a_model_name_comes_back_unchanged() -> None:
    msg = dhip.parse_message(dhip.build_device_info_reply("m", {"DeviceType": "<script>alert(1)</script>"}))
    assert dhip.observation_fields(msg)["dhip.DeviceType"] == "<script>alert(1)</script>"


def test_session_and_request_id_round_trip() -> None:
    msg = dhip.parse_message(dhip.build_message({"id": 1}, session=0xDEADBEEF, request_id=7))
    assert (msg.session, msg.request_id, msg.body) == (0xDEADBEEF, 7, {"id": 1})


def test_build_refuses_out_of_range_ids_and_huge_bodies() -> None:
    with pytest.raises(ValueError):
        dhip.build_message({}, session=2**32)
    with pytest.raises(MessageTooLarge):
        dhip.build_message({"x": "a" * dhip.MAX_SIZE})


@pytest.mark.parametrize(
    "data",
    [
        b"",
        SEARCH_HEADER[:31],
        _frame(SEARCH_BODY, magic=b"DHIQ"),
        b"\x21" + _frame(SEARCH_BODY)[1:],  # header length 33
        _frame(SEARCH_BODY, length2=len(SEARCH_BODY) + 1),
        _frame(SEARCH_BODY, length=len(SEARCH_BODY) + 1),  # truncated body
        _frame(SEARCH_BODY) + b"junk",
        _frame(b'{"a":"\xff"}'),  # invalid UTF-8
        _frame(b"[1,2]"),  # not an object
        _frame(b'{"a":NaN}'),
        _frame(b'{"a":' + b"1" * 5000 + b"}"),  # int beyond Python's digit limit
        _frame(b'{"a":' + b"[" * 17 + b"]" * 17 + b"}"),  # deeper than MAX_JSON_DEPTH
        _frame(b"[" * 50_000),
        _frame(b""),
    ],
)
def test_malformed_messages_are_protocol_errors(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        dhip.parse_message(data)


def test_depth_check_ignores_brackets_inside_strings() -> None:
    body = json.dumps({"a": '[[[[[[[[[[[[[[[[[[[[\\"{{{{{{{{{{{{{{{{{{{{'}).encode()
    assert dhip.parse_message(_frame(body)).body["a"].startswith("[[[")


def test_oversized_message_is_message_too_large() -> None:
    with pytest.raises(MessageTooLarge):
        dhip.parse_message(_frame(b"{}" + b" " * dhip.MAX_SIZE))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=8), st.integers(0, 2**32 - 1))
def test_build_then_parse_gives_the_same_body(body: dict[str, Any], session: int) -> None:
    msg = dhip.parse_message(dhip.build_message(body, session=session))
    assert (msg.session, msg.body) == (session, body)
    dhip.observation_fields(msg)


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    _only_protocol_error(dhip.parse_message, data)
    _only_protocol_error(dhip.parse_message, SEARCH_HEADER[:16] + data)


@FUZZ
@given(st.integers(0, len(VTO2000A)))
def test_truncations(cut: int) -> None:
    _only_protocol_error(dhip.parse_message, VTO2000A[:cut])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(VTO2000A) - 1), st.integers(0, 255)), min_size=1, max_size=10))
def test_mutations(edits: list[tuple[int, int]]) -> None:
    raw = bytearray(VTO2000A)
    for index, value in edits:
        raw[index] = value
    with contextlib.suppress(ProtocolError):
        dhip.observation_fields(dhip.parse_message(bytes(raw)))


def test_an_rpc_reply_keeps_its_parameters() -> None:
    # DahuaConsole#29: an Imou camera's login challenge over DHIP
    body = {"result": False, "params": {"realm": "Login to EB2711F0F250EAB5", "encryption": "Default"}}
    fields = dhip.observation_fields(dhip.DhipMessage(0, 0, body))
    assert fields == {"dhip.params.realm": "Login to EB2711F0F250EAB5", "dhip.params.encryption": "Default"}
