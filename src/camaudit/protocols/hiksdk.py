"""Hikvision SDK / "server" port (TCP 8000) greeting — sans-I/O codec.

Public source: nmap `nmap-service-probes` (devices.md §4.1). To its NULL probe (connect and
wait: the device speaks first) a Hikvision camera answers 16 bytes, four big-endian u32
`(0x10, code, code, 0)`: `\\0\\0\\0\\x10\\0\\0\\0\\x1e\\0\\0\\0\\x1e\\0\\0\\0\\0` ("Hikvision IPCam control
port"); code 0x0d was seen to an SMB-like probe ("hik-connect / HikVision camera control").
The first word is the message length (16), the code is repeated, the last word is zero.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from camaudit.errors import MessageTooLarge, ProtocolError

PORT = 8000
BANNER_SIZE = 16
MAX_SIZE = 4096  # a probe reads at most this much; only the first 16 bytes are the banner
DEFAULT_CODE = 0x1E  # nmap's NULL-probe match

_BANNER = struct.Struct(">IIII")


@dataclass(frozen=True, slots=True)
class HikSdkBanner:
    """The 16-byte greeting.

    Attributes:
        length: the first word, always 16 (BANNER_SIZE).
        code: the repeated status/command word (0x1e to nmap's NULL probe).
    """

    length: int
    code: int

    @property
    def raw(self) -> bytes:
        """The 16 bytes this banner was parsed from (the shape is fixed, so it is rebuilt)."""
        return _BANNER.pack(self.length, self.code, self.code, 0)


def build_banner(code: int = DEFAULT_CODE) -> bytes:
    """The greeting an emulated Hikvision device sends on connect (lab side).

    Raises:
        ValueError: `code` does not fit a u32.
    """
    if not 0 <= code <= 0xFFFFFFFF:
        raise ValueError(f"code must fit in 32 bits: {code}")
    return _BANNER.pack(BANNER_SIZE, code, code, 0)


def parse_banner(data: bytes) -> HikSdkBanner:
    """Parse the first 16 bytes a TCP 8000 server sent. Raises ProtocolError / MessageTooLarge.

    Bytes after the first 16 are ignored (nmap's match is anchored at the start only).
    """
    if len(data) > MAX_SIZE:
        raise MessageTooLarge(f"{len(data)} bytes exceed the {MAX_SIZE}-byte cap")
    if len(data) < BANNER_SIZE:
        raise ProtocolError(f"Hikvision SDK banner needs {BANNER_SIZE} bytes, got {len(data)}")
    length, code, repeat, zero = _BANNER.unpack_from(data)
    if length != BANNER_SIZE or code != repeat or zero != 0:
        raise ProtocolError("not a Hikvision SDK banner (want u32 16, code, code, 0)")
    return HikSdkBanner(length=length, code=code)


def observation_fields(banner: HikSdkBanner) -> dict[str, str]:
    """`hiksdk.header`: hex of the 16 banner bytes."""
    return {"hiksdk.header": banner.raw.hex()}
