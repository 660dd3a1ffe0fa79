from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import hiksdk

FUZZ = settings(max_examples=200, database=None, deadline=None)

# nmap-service-probes NULL-probe match "Hikvision IPCam control port" (devices.md §4.1).
NMAP_NULL_REPLY = b"\0\0\0\x10\0\0\0\x1e\0\0\0\x1e\0\0\0\0"
# The same file's SMB-probe match "hik-connect / HikVision camera control".
NMAP_SMB_REPLY = b"\0\0\0\x10\0\0\0\r\0\0\0\r\0\0\0\0"


def test_default_banner_is_nmaps_null_probe_match() -> None:
    assert hiksdk.build_banner() == NMAP_NULL_REPLY
    assert hiksdk.BANNER_SIZE == 16


@pytest.mark.parametrize(("data", "code"), [(NMAP_NULL_REPLY, 0x1E), (NMAP_SMB_REPLY, 0x0D)])
def test_parse_nmap_shapes(data: bytes, code: int) -> None:
    banner = hiksdk.parse_banner(data)
    assert banner == hiksdk.HikSdkBanner(length=16, code=code)
    assert hiksdk.observation_fields(banner) == {"hiksdk.header": data.hex()}


def test_trailing_bytes_are_ignored() -> None:
    assert hiksdk.parse_banner(NMAP_NULL_REPLY + b"more").code == 0x1E


@pytest.mark.parametrize(
    "data",
    [
        b"",
        NMAP_NULL_REPLY[:15],
        b"\0\0\0\x11" + NMAP_NULL_REPLY[4:],  # wrong length word
        NMAP_NULL_REPLY[:8] + b"\0\0\0\x1f" + NMAP_NULL_REPLY[12:],  # code not repeated
        NMAP_NULL_REPLY[:12] + b"\0\0\0\x01",  # last word not zero
        b"HTTP/1.1 400 Bad Request\r\n\r\n",
        b"SSH-2.0-OpenSSH_9.6\r\n",
    ],
)
def test_other_shapes_are_protocol_errors(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        hiksdk.parse_banner(data)


def test_oversized_is_message_too_large() -> None:
    with pytest.raises(MessageTooLarge):
        hiksdk.parse_banner(NMAP_NULL_REPLY + bytes(hiksdk.MAX_SIZE))


def test_build_refuses_codes_that_do_not_fit() -> None:
    with pytest.raises(ValueError):
        hiksdk.build_banner(-1)
    with pytest.raises(ValueError):
        hiksdk.build_banner(2**32)


@FUZZ
@given(st.integers(0, 2**32 - 1))
def test_round_trip(code: int) -> None:
    data = hiksdk.build_banner(code)
    banner = hiksdk.parse_banner(data)
    assert banner.code == code and banner.raw == data


@FUZZ
@given(st.binary(max_size=64))
def test_arbitrary_bytes(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        hiksdk.parse_banner(data)


@FUZZ
@given(st.integers(0, 15), st.integers(0, 255))
def test_every_single_byte_mutation_but_the_code_is_rejected(index: int, value: int) -> None:
    raw = bytearray(NMAP_NULL_REPLY)
    if raw[index] == value:
        return
    raw[index] = value
    with pytest.raises(ProtocolError):
        hiksdk.parse_banner(bytes(raw))
