"""Values every part spells one way: MAC addresses, and firmware versions with their build date.

Pure functions over strings, depending on nothing of ours, so the codecs, identify, assess, the knowledge
files and the lab all agree on what "the same MAC" or "the same firmware" means.

Firmware spellings (devices.md §0.2, §1.1, §4; real ones in the lab profiles):

- Hikvision: ``V5.4.0 build 160530`` (ISAPI/ONVIF), ``V5.3.0build 150513`` (SADP ``SoftwareVersion``),
  ``V4.30.085 build 200916`` (NVR). The build is the date, YYMMDD.
- Dahua: ``2.800.0000000.8.R`` = major.minor.branch.revision.stage (the branch is a customer/OEM code:
  ``00AC000`` Amcrest, ``030000000`` Lorex), optionally ``.200330`` / ``.20200217`` (build date, as in the
  fixed versions of CVE-2020-5735), or ``, Build Date 2020-12-28`` (ONVIF ``FirmwareVersion``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from ipaddress import ip_address

# --- MAC addresses ---------------------------------------------------------------------------------

# Six pairs with one separator throughout (or none), or Cisco's three dotted quads.
_MAC = re.compile(
    r"^(?:[0-9a-f]{2}([-:.]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4})$"
)

_SHORT_OCTETS = re.compile(r"^[0-9a-f]{1,2}([:-])[0-9a-f]{1,2}(?:\1[0-9a-f]{1,2}){4}$")


# Dotted-quad IPv4 as `ip_address` takes it (no leading zeros): answered without building an object,
# since the census asks this of every record; anything else is left to `ip_address`.
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}", re.ASCII)


def is_address(text: str) -> bool:
    """Whether `text` is an IPv4 or IPv6 address."""
    if _IPV4.fullmatch(text):
        return True
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


_BARE_OUI = re.compile(r"^([0-9a-f]{2})[:.-]?([0-9a-f]{2})[:.-]?([0-9a-f]{2})$")


def normalise_oui(text: str) -> str | None:
    """``aa:bb:cc`` for a bare OUI in any case or separator (``A0:07:A0``, ``a0-07-a0``, ``A007A0``),
    as sources publish a redacted address; else None."""
    found = _BARE_OUI.match(text.strip().lower())
    return ":".join(found.groups()) if found else None


def normalise_mac(text: str) -> str | None:
    """``aa:bb:cc:dd:ee:ff`` for ``AA-BB-…``, ``aa:bb:…``, ``aabbcc…``, ``aabb.ccdd.eeff`` or, as macOS's
    ``arp -a`` prints them, octets without their leading zero (``0:f:7c:1:2:3``); else None."""
    value = text.strip().lower()
    if _SHORT_OCTETS.match(value):
        return ":".join(octet.zfill(2) for octet in re.split("[:-]", value))
    if not _MAC.match(value):
        return None
    digits = re.sub(r"[^0-9a-f]", "", value)
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def is_multicast_mac(mac: str) -> bool:
    """The group bit (IEEE 802 §8.2): such an address names a group, never one device."""
    return bool(int(mac[:2], 16) & 1)


# --- firmware ----------------------------------------------------------------------------------------

HIKVISION = "hikvision"
DAHUA = "dahua"
_HIK_SPELLING = re.compile(r"^(V?\d+(?:\.\d+)+)\s*build\s*(\d{6})$", re.IGNORECASE)
_HIK = re.compile(r"^\s*V?(\d{1,3}(?:\.\d{1,4}){1,3})\s*,?\s*(?:build\s*(\d{6}))?\s*$", re.IGNORECASE)
_DAHUA = re.compile(
    r"^\s*V?(\d{1,2})\.(\d{3})\.([0-9A-Za-z]{1,12})\.(\d{1,3})(?:\.([A-Z]))?"
    r"(?:\.(\d{6}|\d{8})(?:\.bin)?)?\s*(?:,?\s*build\s*date\s*:?\s*(\d{4}-\d{2}-\d{2}))?\s*$",
    re.IGNORECASE,
)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True, slots=True)
class Firmware:
    """A parsed firmware string.

    Attributes:
        family: ``hikvision`` or ``dahua`` (the spelling, which survives OEM rebranding).
        version: the comparable numbers (Hikvision V5.4.0 -> (5, 4, 0); Dahua 2.800.x.8 -> (2, 800, 8)).
        build: the build date when the string (or another report of the same version) carries it.
        text: the string as reported.
    """

    family: str
    version: tuple[int, ...]
    build: date | None
    text: str


def normal_firmware(text: str | None) -> str | None:
    """One spelling per version: SADP's "V5.5.82build 190909" and ISAPI's "V5.5.82 build 190909" agree."""
    if text is None:
        return None
    hik = _HIK_SPELLING.match(text.strip())
    return f"{hik.group(1)} build {hik.group(2)}" if hik else text.strip()


def _yymmdd(digits: str) -> date | None:
    try:
        if len(digits) == 8:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        return date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError:
        return None


def _iso(text: str | None) -> date | None:
    match = _ISO.fullmatch(text or "")
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def parse_firmware(text: str | None) -> Firmware | None:
    """The parsed firmware, or None when the spelling is neither family's (or absent)."""
    if not text or len(text) > 200:
        return None
    dahua = _DAHUA.match(text)
    if dahua:
        build = _yymmdd(dahua[6]) if dahua[6] else _iso(dahua[7])
        return Firmware(DAHUA, (int(dahua[1]), int(dahua[2]), int(dahua[4])), build, text.strip())
    hik = _HIK.match(text)
    if hik:
        version = tuple(int(p) for p in hik[1].split("."))
        return Firmware(HIKVISION, version, _yymmdd(hik[2]) if hik[2] else None, text.strip())
    return None


def with_build_from(firmware: Firmware, others: Iterable[str | Firmware]) -> Firmware:
    """Fill a missing build date from another report of the *same* version (e.g. ONVIF's string)."""
    if firmware.build is not None:
        return firmware
    for other in others:
        parsed = parse_firmware(other) if isinstance(other, str) else other
        if parsed and parsed.build and (parsed.family, parsed.version) == (firmware.family, firmware.version):
            return replace(firmware, build=parsed.build)
    return firmware


def firmware_build(text: str | None, others: Iterable[str | Firmware] = ()) -> date | None:
    """The build date of firmware `text`: its own, else one another report of the same version gives."""
    parsed = parse_firmware(text)
    return with_build_from(parsed, others).build if parsed else None
