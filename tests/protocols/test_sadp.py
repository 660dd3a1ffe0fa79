from __future__ import annotations

import contextlib
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import sadp

FUZZ = settings(max_examples=200, database=None, deadline=None)
UUID = "0B5C5B4E-2B8A-4E59-9B5D-6B8E0E2C4A11"

# A reply shaped like devices.md §1.1 (element names from hikvision-tooling's Device struct,
# CRLF layout of UniversalScanner's selftest); values are our own, illustrative.
REPLY = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\r\n'
    b"<ProbeMatch>\r\n"
    b"<Uuid>0B5C5B4E-2B8A-4E59-9B5D-6B8E0E2C4A11</Uuid>\r\n"
    b"<Types>inquiry</Types>\r\n"
    b"<DeviceType>138153</DeviceType>\r\n"
    b"<DeviceDescription>DS-2CD2042WD-I</DeviceDescription>\r\n"
    b"<DeviceSN>DS-2CD2042WD-I20160721AAWR123456789</DeviceSN>\r\n"
    b"<CommandPort>8000</CommandPort>\r\n"
    b"<HttpPort>80</HttpPort>\r\n"
    b"<MAC>c0-56-e3-12-34-56</MAC>\r\n"
    b"<IPv4Address>192.168.1.64</IPv4Address>\r\n"
    b"<IPv4SubnetMask>255.255.255.0</IPv4SubnetMask>\r\n"
    b"<IPv4Gateway>192.168.1.1</IPv4Gateway>\r\n"
    b"<DHCP>false</DHCP>\r\n"
    b"<AnalogChannelNum>0</AnalogChannelNum>\r\n"
    b"<DigitalChannelNum>1</DigitalChannelNum>\r\n"
    b"<SoftwareVersion>V5.5.800build 210628</SoftwareVersion>\r\n"
    b"<DSPVersion>V7.3 build 210628</DSPVersion>\r\n"
    b"<BootTime>2024-03-01 08:15:02</BootTime>\r\n"
    b"<Activated>true</Activated>\r\n"
    b"<PasswordResetAbility>false</PasswordResetAbility>\r\n"
    b"<SupportHCPlatform>true</SupportHCPlatform>\r\n"
    b"<HCPlatformEnable>false</HCPlatformEnable>\r\n"
    b"</ProbeMatch>\r\n"
)


def _only_protocol_error(parse: Callable[[bytes], object], data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        parse(data)


def test_inquiry_bytes_match_the_public_probe_shape() -> None:
    assert sadp.build_inquiry(UUID.lower()) == (
        b'<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>' + UUID.encode() + b"</Uuid>"
        b"<Types>inquiry</Types></Probe>"
    )


def test_inquiry_defaults_to_a_fresh_uppercase_uuid() -> None:
    first, second = sadp.parse_inquiry(sadp.build_inquiry()), sadp.parse_inquiry(sadp.build_inquiry())
    assert re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", first.uuid)
    assert first.uuid != second.uuid
    assert first.types == "inquiry"


def test_inquiry_refuses_a_non_uuid() -> None:
    with pytest.raises(ValueError):
        sadp.build_inquiry("</Uuid><Types>reboot</Types>")


def test_parse_inquiry_round_trip() -> None:
    assert sadp.parse_inquiry(sadp.build_inquiry(UUID)) == sadp.SadpInquiry(uuid=UUID, types="inquiry")


@pytest.mark.parametrize(
    "data",
    [b"<ProbeMatch><Uuid>x</Uuid><Types>inquiry</Types></ProbeMatch>", b"<Probe><Uuid>x</Uuid></Probe>"],
)
def test_parse_inquiry_refuses_other_shapes(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        sadp.parse_inquiry(data)


def test_parse_real_shaped_reply() -> None:
    reply = sadp.parse_reply(REPLY)
    assert reply.model == "DS-2CD2042WD-I"
    assert reply.serial == "DS-2CD2042WD-I20160721AAWR123456789"
    assert reply.mac == "c0:56:e3:12:34:56"
    assert reply.ipv4 == "192.168.1.64"
    assert reply.software_version == "V5.5.800build 210628"
    assert reply.dsp_version == "V7.3 build 210628"
    assert reply.activated is True
    assert reply.hc_platform_enabled is False
    assert list(reply.fields)[:4] == ["Uuid", "Types", "DeviceType", "DeviceDescription"]
    assert len(reply.fields) == 21


def test_observation_fields_use_element_names() -> None:
    fields = sadp.observation_fields(sadp.parse_reply(REPLY))
    assert fields["sadp.DeviceDescription"] == "DS-2CD2042WD-I"
    assert fields["sadp.MAC"] == "c0-56-e3-12-34-56"
    assert fields["sadp.HCPlatformEnable"] == "false"
    assert all(key.startswith("sadp.") for key in fields)


def test_missing_or_odd_values_give_none() -> None:
    reply = sadp.parse_reply(b"<ProbeMatch><MAC>zz</MAC><Activated>maybe</Activated></ProbeMatch>")
    assert reply.mac is None and reply.activated is None
    assert reply.model is None and reply.hc_platform_enabled is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("00-11-22-AA-BB-CC", "00:11:22:aa:bb:cc"),
        ("00:11:22:aa:bb:cc", "00:11:22:aa:bb:cc"),
        ("001122AABBCC", "00:11:22:aa:bb:cc"),
        ("00-11:22-aa-bb-cc", None),
        ("00-11-22-aa-bb", None),
        ("", None),
    ],
)
def test_normalise_mac(raw: str, expected: str | None) -> None:
    assert sadp.normalise_mac(raw) == expected


def test_build_reply_round_trip_keeps_order_and_escapes() -> None:
    fields = {"DeviceDescription": "<script>alert(1)</script>", "DeviceSN": "A&B", "MAC": "00-11-22-33-44-55"}
    data = sadp.build_reply(fields, uuid=UUID)
    assert b"<script>" not in data
    reply = sadp.parse_reply(data)
    assert reply.model == "<script>alert(1)</script>"
    assert list(reply.fields) == ["Uuid", "Types", "DeviceDescription", "DeviceSN", "MAC"]
    assert reply.fields["Uuid"] == UUID and reply.fields["Types"] == "inquiry"


def test_build_reply_refuses_injected_element_names() -> None:
    with pytest.raises(ValueError):
        sadp.build_reply({"a><Activated>false</Activated><b": "x"}, uuid=UUID)


@FUZZ
@given(
    st.dictionaries(
        st.from_regex(r"[A-Z][A-Za-z0-9]{0,15}", fullmatch=True),
        st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xD7FF), max_size=40).map(str.strip),
        max_size=20,
    )
)
def test_build_then_parse_gives_the_same_values(fields: dict[str, str]) -> None:
    fields = {k: v for k, v in fields.items() if k not in ("Uuid", "Types")}
    reply = sadp.parse_reply(sadp.build_reply(fields, uuid=UUID))
    assert {k: reply.fields[k] for k in fields} == fields


@pytest.mark.parametrize(
    "data",
    [
        b"<Probe><Uuid>x</Uuid><Types>inquiry</Types></Probe>",
        REPLY[:-20],
        REPLY.replace(b"DS-2CD2042WD-I<", b"DS-\xff\xfe<"),
        b"<ProbeMatch>" + b"<F>1</F>" * (sadp.MAX_FIELDS + 1) + b"</ProbeMatch>",
    ],
)
def test_malformed_replies_are_protocol_errors(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        sadp.parse_reply(data)


def test_oversized_reply_is_message_too_large() -> None:
    with pytest.raises(MessageTooLarge):
        sadp.parse_reply(REPLY + b" " * sadp.MAX_SIZE)


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    _only_protocol_error(sadp.parse_reply, data)
    _only_protocol_error(sadp.parse_inquiry, data)


@FUZZ
@given(st.integers(0, len(REPLY)))
def test_truncations(cut: int) -> None:
    _only_protocol_error(sadp.parse_reply, REPLY[:cut])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(REPLY) - 1), st.integers(0, 255)), min_size=1, max_size=10))
def test_mutations(edits: list[tuple[int, int]]) -> None:
    raw = bytearray(REPLY)
    for index, value in edits:
        raw[index] = value
    _only_protocol_error(sadp.parse_reply, bytes(raw))
    _only_protocol_error(sadp.parse_inquiry, bytes(raw))
