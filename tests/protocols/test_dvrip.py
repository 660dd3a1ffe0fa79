from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import dvrip

FUZZ = settings(max_examples=200, database=None, deadline=None)

# devices.md §2.2: the 5050 broadcast search (DahuaConsole net.py, UniversalScanner Dahua1.cs).
LEGACY_SEARCH = bytes.fromhex(
    "a3010001 00000000 00000000 00000000 02000000 00000000 00000000 00000000".replace(" ", "")
)
# devices.md §2.3: DahuaConsole's realm request.
REALM_REQUEST = bytes.fromhex("a0010000" + "00" * 20 + "050201010000a1aa")


def _legacy_reply_table() -> bytes:
    """A legacy reply written field by field from the §2.2 offsets (our own values)."""
    fixed = bytearray(0x78)
    fixed[0] = 0xB3
    fixed[2] = 17 + 13  # section 2: MAC + "HCVR5104HS-S3"
    fixed[4] = 0x58
    fixed[0x10] = 2
    section3 = b"SerialNo:4D01234PAZ00001\r\nIPv6Addr:fe80::1/64;gateway:::\r\nName:front door\r\n"
    struct.pack_into("<H", fixed, 0x14, len(section3))
    struct.pack_into("<4H", fixed, 0x20, 2, 608, 0, 0)
    fixed[0x28:0x33] = b"HCVR5104HS-"  # the 16-byte name field holds a truncated name
    fixed[0x38:0x3C] = bytes([192, 168, 1, 108])
    fixed[0x3C:0x40] = bytes([255, 255, 255, 0])
    struct.pack_into("<H", fixed, 0x5E, 80)
    struct.pack_into("<H", fixed, 0x62, 37777)
    return bytes(fixed) + b"3C:EF:8C:00:11:22HCVR5104HS-S3" + section3


LEGACY_REPLY = _legacy_reply_table()
REALM_REPLY = (
    b"\xb0\x01\x00\x00"
    + struct.pack("<I", 47)
    + bytes(24)
    + b"Realm:Login to 4D01234PAZ00001\r\nRandom:123456\r\n"
)


def _only_protocol_error(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        dvrip.observation_fields(dvrip.parse_reply(data))
    with contextlib.suppress(ProtocolError):
        dvrip.parse_legacy_reply(data)


def test_fixed_requests_match_the_public_bytes() -> None:
    assert dvrip.build_legacy_search() == LEGACY_SEARCH
    assert dvrip.build_realm_request() == REALM_REQUEST
    assert len(REALM_REQUEST) == 32
    assert (dvrip.LEGACY_DISCOVERY_PORT, dvrip.TCP_PORT) == (5050, 37777)


def test_request_recognisers() -> None:
    assert dvrip.is_legacy_search(LEGACY_SEARCH)
    assert not dvrip.is_legacy_search(REALM_REQUEST)
    assert not dvrip.is_legacy_search(LEGACY_SEARCH + b"\0")
    assert dvrip.is_realm_request(REALM_REQUEST)
    assert not dvrip.is_realm_request(LEGACY_SEARCH)
    assert not dvrip.is_realm_request(REALM_REQUEST[:31])


def test_parse_legacy_reply_byte_table() -> None:
    assert dvrip.parse_legacy_reply(LEGACY_REPLY) == {
        "dvrip.legacy.version": "2.608.0.0",
        "dvrip.legacy.ipv4": "192.168.1.108",
        "dvrip.legacy.web_port": "80",
        "dvrip.legacy.tcp_port": "37777",
        "dvrip.legacy.mac": "3c:ef:8c:00:11:22",
        "dvrip.legacy.device_type": "HCVR5104HS-S3",
        "dvrip.legacy.SerialNo": "4D01234PAZ00001",
        "dvrip.legacy.IPv6Addr": "fe80::1/64;gateway:::",
        "dvrip.legacy.Name": "front door",
    }


def test_legacy_reply_without_device_type_in_section_2_uses_the_name_field() -> None:
    data = bytearray(LEGACY_REPLY[:0x78])
    data[2] = 17
    struct.pack_into("<H", data, 0x14, 0)
    fields = dvrip.parse_legacy_reply(bytes(data) + b"3C:EF:8C:00:11:22")
    assert fields["dvrip.legacy.device_type"] == "HCVR5104HS-"


def test_legacy_round_trip() -> None:
    data = dvrip.build_legacy_reply(
        device_type="<script>x</script>",
        mac="38:c4:e8:01:02:03",
        ipv4="10.0.0.9",
        version="2.420.0.1",
        serial="ND011811000000",
        web_port=8080,
        tcp_port=35000,
    )
    fields = dvrip.parse_legacy_reply(data)
    assert fields["dvrip.legacy.device_type"] == "<script>x</script>"
    assert fields["dvrip.legacy.mac"] == "38:c4:e8:01:02:03"
    assert fields["dvrip.legacy.ipv4"] == "10.0.0.9"
    assert fields["dvrip.legacy.version"] == "2.420.0.1"
    assert fields["dvrip.legacy.SerialNo"] == "ND011811000000"
    assert (fields["dvrip.legacy.web_port"], fields["dvrip.legacy.tcp_port"]) == ("8080", "35000")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"version": "2.800.0000000.3.R"},
        {"version": "1.2.3.70000"},
        {"mac": "3c-ef-8c"},
        {"ipv4": "not-an-ip"},
        {"serial": "X\r\nRealm:forged"},
        {"web_port": 70000},
        {"device_type": "D" * 240},
    ],
)
def test_build_legacy_reply_refuses_values_that_do_not_fit(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {
        "device_type": "IPC",
        "mac": "3c:ef:8c:00:11:22",
        "ipv4": "10.0.0.9",
        "version": "2.400.0.8",
        "serial": "S",
        "web_port": 80,
        "tcp_port": 37777,
    }
    with pytest.raises(ValueError):
        dvrip.build_legacy_reply(**{**args, **kwargs})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [b"", LEGACY_SEARCH, LEGACY_REPLY[:0x77], LEGACY_REPLY[:-1], b"\xb4" + LEGACY_REPLY[1:]],
)
def test_malformed_legacy_replies(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        dvrip.parse_legacy_reply(data)


def test_oversized_legacy_reply() -> None:
    with pytest.raises(MessageTooLarge):
        dvrip.parse_legacy_reply(LEGACY_REPLY + bytes(dvrip.LEGACY_MAX_SIZE))


def test_parse_realm_reply_byte_table() -> None:
    reply = dvrip.parse_reply(REALM_REPLY)
    assert (reply.command, reply.realm, reply.random) == (0xB0, "Login to 4D01234PAZ00001", "123456")
    assert reply.header == REALM_REPLY[:32]
    assert dvrip.observation_fields(reply) == {
        "dvrip.header": "b00100002f000000",
        "dvrip.realm": "Login to 4D01234PAZ00001",
    }


def test_realm_round_trip_and_injection_refused() -> None:
    reply = dvrip.parse_reply(dvrip.build_realm_reply("<b>ND011811000000</b>", "987"))
    assert (reply.realm, reply.random) == ("Login to <b>ND011811000000</b>", "987")
    with pytest.raises(ValueError):
        dvrip.build_realm_reply("X\r\nRealm:Login to forged", "1")


def test_metasploit_shaped_reply_has_header_and_no_realm() -> None:
    # msf dahua_dvr_auth_bypass.rb expects the first 8 bytes b1 00 00 58 00 00 00 00.
    reply = dvrip.parse_reply(bytes.fromhex("b1000058000000000000000000000000") + bytes(16))
    assert reply.realm is None and reply.random is None
    assert dvrip.observation_fields(reply) == {"dvrip.header": "b100005800000000"}


def test_binary_payload_gives_no_realm() -> None:
    data = b"\xb0\x00\x00\x00" + struct.pack("<I", 4) + bytes(24) + b"\xff\xfe\x00\x01"
    assert dvrip.parse_reply(data).realm is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        REALM_REPLY[:31],
        REALM_REPLY[:-1],  # payload shorter than declared
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        b"\0\0\0\x10\0\0\0\x1e\0\0\0\x1e\0\0\0\0" * 2,  # a Hikvision SDK greeting
        REALM_REQUEST,  # a request, not a reply
    ],
)
def test_malformed_replies(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        dvrip.parse_reply(data)


def test_oversized_reply() -> None:
    with pytest.raises(MessageTooLarge):
        dvrip.parse_reply(REALM_REPLY + bytes(dvrip.MAX_SIZE))


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    _only_protocol_error(data)
    _only_protocol_error(b"\xb3" + data)


@FUZZ
@given(st.integers(0, len(LEGACY_REPLY)))
def test_truncations(cut: int) -> None:
    _only_protocol_error(LEGACY_REPLY[:cut])
    _only_protocol_error(REALM_REPLY[:cut])


@FUZZ
@given(
    st.lists(st.tuples(st.integers(0, len(LEGACY_REPLY) - 1), st.integers(0, 255)), min_size=1, max_size=10)
)
def test_mutations(edits: list[tuple[int, int]]) -> None:
    legacy, realm = bytearray(LEGACY_REPLY), bytearray(REALM_REPLY)
    for index, value in edits:
        legacy[index] = value
        realm[index % len(realm)] = value
    _only_protocol_error(bytes(legacy))
    _only_protocol_error(bytes(realm))
