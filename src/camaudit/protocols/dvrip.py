"""Dahua "DVRIP" private protocol: legacy discovery (UDP 5050) and the TCP 37777 realm exchange.

Public sources (see /work/shared/reference/devices.md §2.2-2.3):
* mcw0/DahuaConsole `net.py` (`dh_discover()`: the 32-byte 5050 request and the reply's fixed
  offsets, parsed from `data[32:]`; `dahua_dvrip_login()`: the 32-byte realm request and its
  `Realm:…\\r\\nRandom:…\\r\\n` text reply; `dahua_proto()`: the header codes `a0 01` realm request,
  `b0 00`/`b0 01` replies, `a3 01`/`b3 00` discovery, `f6 00` JSON);
* julienblitte/UniversalScanner `Dahua1.cs` (section-2 length at 0x02, section-3 length at 0x14,
  MAC string then device type in section 2);
* rapid7/metasploit-framework `scanner/misc/dahua_dvr_auth_bypass.rb` (replies start `b1 00 00 58`).

A DVRIP packet is a 32-byte header whose u32 little-endian at offset 4 is the length of the
payload that follows. The realm request is read-only: it asks which realm (`Login to <serial>`)
the device wants for login and never sends credentials.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

from camaudit.errors import MessageTooLarge, ProtocolError

LEGACY_DISCOVERY_PORT = 5050
TCP_PORT = 37777
HEADER_SIZE = 32
LEGACY_MAX_SIZE = 8 * 1024  # fixed part 120 B + u8 section 2 + a short Key:Value section 3
MAX_SIZE = 64 * 1024  # cap for one TCP reply (the realm reply is ~60 bytes)
MAX_LINES = 64

_LEGACY_SEARCH = bytes.fromhex("a3010001" + "00" * 12 + "02" + "00" * 15)
_REALM_REQUEST = bytes.fromhex("a0010000" + "00" * 20 + "050201010000a1aa")
_LEGACY_REPLY_MAGIC = 0xB3
_LEGACY_FIXED = 0x78  # section 2 starts here: 32-byte header + 88 (0x58) bytes of fixed fields
_MAC_LEN = 17  # "aa:bb:cc:dd:ee:ff"
_REALM_REPLY_COMMAND = 0xB0
_JSON_COMMAND = 0xF6
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")


@dataclass(frozen=True, slots=True)
class DvripReply:
    """The first reply packet on TCP 37777.

    Attributes:
        header: the 32-byte header as received.
        command: its first byte (`0xb0`/`0xb1` replies, `0xf6` JSON).
        realm: `Login to <serial>` from a realm reply, or None.
        random: the login nonce from a realm reply, or None.
    """

    header: bytes
    command: int
    realm: str | None
    random: str | None


# --- UDP 5050 legacy discovery -------------------------------------------------------------


def build_legacy_search() -> bytes:
    """The 32-byte broadcast search (`a3 01 00 01`, protocol version 2 at 0x10)."""
    return _LEGACY_SEARCH


def is_legacy_search(data: bytes) -> bool:
    """True for a 32-byte packet with the discovery request code `a3 01` (lab side)."""
    return len(data) == HEADER_SIZE and data[:2] == b"\xa3\x01"


def build_legacy_reply(
    *, device_type: str, mac: str, ipv4: str, version: str, serial: str, web_port: int, tcp_port: int
) -> bytes:
    """A legacy discovery reply (lab side), laid out as DahuaConsole parses it.

    Raises:
        ValueError: a value does not fit its field (version not four u16s, bad IPv4 or MAC,
            device type too long, CR/LF in the serial, port out of range).
    """
    if len(mac) != _MAC_LEN or not mac.isascii():
        raise ValueError(f"MAC must be a 17-character string: {mac!r}")
    if any(c in serial for c in "\r\n"):
        raise ValueError("serial must not contain CR/LF")
    kind = device_type.encode()
    section2 = mac.encode() + kind
    section3 = f"SerialNo:{serial}\r\n".encode()
    if len(section2) > 0xFF:
        raise ValueError("device type too long for the u8 section-2 length")
    if not (0 <= web_port <= 0xFFFF and 0 <= tcp_port <= 0xFFFF):
        raise ValueError("ports must fit in 16 bits")
    packet = bytearray(_LEGACY_FIXED)
    struct.pack_into("<BBBB", packet, 0, _LEGACY_REPLY_MAGIC, 0, len(section2), 0)
    struct.pack_into("<IIII", packet, 4, _LEGACY_FIXED - HEADER_SIZE, 0, 0, 2)  # length, protocol v2
    struct.pack_into("<H", packet, 0x14, len(section3))
    struct.pack_into("<4H", packet, 0x20, *_version_parts(version))
    packet[0x28 : 0x28 + 16] = kind[:16].ljust(16, b"\x00")
    packet[0x38:0x3C] = ipaddress.IPv4Address(ipv4).packed  # network byte order
    struct.pack_into("<H", packet, 0x5E, web_port)
    struct.pack_into("<H", packet, 0x62, tcp_port)
    return bytes(packet) + section2 + section3


def _version_parts(version: str) -> tuple[int, int, int, int]:
    parts = tuple(int(p) for p in version.split("."))
    if len(parts) != 4 or not all(0 <= p <= 0xFFFF for p in parts):
        raise ValueError(f"legacy version must be four 16-bit numbers: {version!r}")
    return parts[0], parts[1], parts[2], parts[3]


def parse_legacy_reply(data: bytes) -> dict[str, str]:
    """Parse a UDP 5050 reply into `dvrip.legacy.*` fields. Raises ProtocolError.

    Fixed fields: `version`, `ipv4`, `web_port`, `tcp_port`, `mac`, `device_type` (section 2,
    else the 16-byte name at 0x28); then every `Key:Value` line of section 3 as
    `dvrip.legacy.<Key>` (`SerialNo`, `IPv6Addr`, …).
    """
    if len(data) > LEGACY_MAX_SIZE:
        raise MessageTooLarge(f"legacy reply of {len(data)} bytes exceeds the cap")
    if len(data) < _LEGACY_FIXED or data[0] != _LEGACY_REPLY_MAGIC:
        raise ProtocolError("not a Dahua legacy discovery reply (short or no 0xb3 magic)")
    section2_len, section3_len = data[2], _U16.unpack_from(data, 0x14)[0]
    end2 = _LEGACY_FIXED + section2_len
    if end2 + section3_len > len(data):
        raise ProtocolError("Dahua legacy reply truncated (section lengths exceed the packet)")
    fields = _legacy_fixed_fields(data)
    section2 = _text(data[_LEGACY_FIXED:end2])
    if section2[:_MAC_LEN]:
        fields["dvrip.legacy.mac"] = section2[:_MAC_LEN].lower()
    fields["dvrip.legacy.device_type"] = section2[_MAC_LEN:] or _text(data[0x28:0x38])
    for key, value in _key_values(_text(data[end2 : end2 + section3_len])):
        fields.setdefault(f"dvrip.legacy.{key}", value)
    return fields


def _legacy_fixed_fields(data: bytes) -> dict[str, str]:
    version = ".".join(str(n) for n in struct.unpack_from("<4H", data, 0x20))
    return {
        "dvrip.legacy.version": version,
        "dvrip.legacy.ipv4": str(ipaddress.IPv4Address(bytes(data[0x38:0x3C]))),
        "dvrip.legacy.web_port": str(_U16.unpack_from(data, 0x5E)[0]),
        "dvrip.legacy.tcp_port": str(_U16.unpack_from(data, 0x62)[0]),
    }


def _text(raw: bytes) -> str:
    """Device text: NUL-padded, usually ASCII; undecodable bytes become U+FFFD, never an error."""
    return bytes(raw).split(b"\x00", 1)[0].decode("utf-8", "replace").strip()


def _key_values(text: str) -> list[tuple[str, str]]:
    pairs = []
    for line in text.splitlines()[:MAX_LINES]:
        key, sep, value = line.partition(":")
        key = key.strip()
        if sep and key and len(key) <= 64 and key.isprintable() and " " not in key:
            pairs.append((key, value.strip()))
    return pairs


# --- TCP 37777 realm request ---------------------------------------------------------------


def build_realm_request() -> bytes:
    """The 32-byte realm request (`a0 01`): asks for the login realm, sends no credentials."""
    return _REALM_REQUEST


def is_realm_request(data: bytes) -> bool:
    """True for a 32-byte packet with the realm request code `a0 01` (lab side)."""
    return len(data) == HEADER_SIZE and data[:2] == b"\xa0\x01"


def build_realm_reply(serial: str, random: str) -> bytes:
    """Header (`b0 01`, payload length at offset 4) + `Realm:Login to <serial>\\r\\nRandom:<n>\\r\\n`.

    Raises:
        ValueError: CR/LF in `serial` or `random` (they would forge extra lines).
    """
    if any(c in serial + random for c in "\r\n"):
        raise ValueError("serial and random must not contain CR/LF")
    text = f"Realm:Login to {serial}\r\nRandom:{random}\r\n".encode()
    header = bytes([_REALM_REPLY_COMMAND, 0x01, 0, 0]) + _U32.pack(len(text)) + bytes(HEADER_SIZE - 8)
    return header + text


def parse_reply(data: bytes) -> DvripReply:
    """Parse the first reply packet from TCP 37777. Raises ProtocolError / MessageTooLarge.

    The header must carry a reply code (`0xb?`) or the JSON code (`0xf6`), and the payload
    length it declares must be present. Bytes after that payload (the next packet) are ignored.
    """
    if len(data) > MAX_SIZE:
        raise MessageTooLarge(f"DVRIP reply of {len(data)} bytes exceeds the {MAX_SIZE}-byte cap")
    if len(data) < HEADER_SIZE:
        raise ProtocolError(f"DVRIP reply shorter than its {HEADER_SIZE}-byte header")
    command = data[0]
    if command >> 4 != 0xB and command != _JSON_COMMAND:
        raise ProtocolError(f"not a DVRIP reply code: 0x{command:02x}")
    length = _U32.unpack_from(data, 4)[0]
    if HEADER_SIZE + length > len(data):
        raise ProtocolError(f"DVRIP payload truncated: {len(data) - HEADER_SIZE} of {length} bytes")
    realm, random = _realm_and_random(bytes(data[HEADER_SIZE : HEADER_SIZE + length]))
    return DvripReply(header=bytes(data[:HEADER_SIZE]), command=command, realm=realm, random=random)


def _realm_and_random(payload: bytes) -> tuple[str | None, str | None]:
    """`Realm:`/`Random:` lines of a text payload; (None, None) for binary or other payloads."""
    try:
        text = payload.rstrip(b"\x00").decode("utf-8")
    except UnicodeDecodeError:
        return None, None
    values = dict(_key_values(text))
    return values.get("Realm"), values.get("Random")


def observation_fields(reply: DvripReply) -> dict[str, str]:
    """`dvrip.header` (hex of the first 8 header bytes) and `dvrip.realm` when present."""
    fields = {"dvrip.header": reply.header[:8].hex()}
    if reply.realm:
        fields["dvrip.realm"] = reply.realm
    return fields
