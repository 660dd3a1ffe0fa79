"""Firmware version/build parsing and range matching for the Hikvision and Dahua families.

Spellings (devices.md §0.2, §1.1, §4; real ones in the lab profiles):

- Hikvision: ``V5.4.0 build 160530`` (ISAPI/ONVIF), ``V5.3.0build 150513`` (SADP ``SoftwareVersion``),
  ``V4.30.085 build 200916`` (NVR). The build is the date, YYMMDD.
- Dahua: ``2.800.0000000.8.R`` = major.minor.branch.revision.stage (the branch is a customer/OEM code:
  ``00AC000`` Amcrest, ``030000000`` Lorex), optionally ``.200330`` / ``.20200217`` (build date, as in the
  fixed versions of CVE-2020-5735), or ``, Build Date 2020-12-28`` (ONVIF ``FirmwareVersion``).

Comparisons are three-valued: True, False, or None when the firmware does not carry what a bound needs
(a build date unknown, another family's spelling). None becomes an "undetermined" finding, never "safe".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

HIKVISION = "hikvision"
DAHUA = "dahua"
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
        build: the build date when the string (or another observation) carries it.
        text: the string as reported.
    """

    family: str
    version: tuple[int, ...]
    build: date | None
    text: str


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


def with_build_from(firmware: Firmware, others: Iterable[str]) -> Firmware:
    """Fill a missing build date from another report of the *same* version (e.g. ONVIF's string)."""
    if firmware.build is not None:
        return firmware
    for text in others:
        other = parse_firmware(text)
        if other and other.build and other.family == firmware.family and other.version == firmware.version:
            return replace(firmware, build=other.build)
    return firmware


def _pad(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    size = max(len(a), len(b))
    return a + (0,) * (size - len(a)), b + (0,) * (size - len(b))


def compare(fw: Firmware, bound: Firmware) -> int | None:
    """-1, 0, 1 as `fw` is older, equal, newer than `bound`; None when it cannot be told."""
    if fw.family != bound.family:
        return None
    mine, theirs = _pad(fw.version, bound.version)
    if mine != theirs:
        return -1 if mine < theirs else 1
    if bound.build is None:
        return 0
    if fw.build is None:
        return None  # same version, the bound splits it by build date we do not know
    return (fw.build > bound.build) - (fw.build < bound.build)


@dataclass(frozen=True, slots=True)
class Range:
    """A firmware range; every bound is optional, at least one is set (the data loader checks).

    Attributes:
        low, low_inclusive: the lowest affected firmware (``from`` inclusive, ``after`` exclusive).
        high, high_inclusive: the highest affected firmware (``to`` inclusive, ``before`` exclusive).
        built_from, built_before: build date bounds (inclusive, exclusive).
    """

    low: Firmware | None = None
    low_inclusive: bool = True
    high: Firmware | None = None
    high_inclusive: bool = False
    built_from: date | None = None
    built_before: date | None = None


def _all(results: Iterable[bool | None]) -> bool | None:
    values = list(results)
    if False in values:
        return False
    return None if None in values else True


def _bound_ok(fw: Firmware, bound: Firmware | None, inclusive: bool, sign: int) -> bool | None:
    if bound is None:
        return True
    order = compare(fw, bound)
    if order is None:
        return None
    return order * sign > 0 or (order == 0 and inclusive)


def _build_ok(fw: Firmware, rng: Range) -> bool | None:
    if rng.built_from is None and rng.built_before is None:
        return True
    if fw.build is None:
        return None
    after = rng.built_from is None or fw.build >= rng.built_from
    return after and (rng.built_before is None or fw.build < rng.built_before)


def in_range(fw: Firmware, rng: Range) -> bool | None:
    """True inside the range, False outside, None when the firmware lacks what a bound needs."""
    return _all(
        (
            _bound_ok(fw, rng.low, rng.low_inclusive, 1),
            _bound_ok(fw, rng.high, rng.high_inclusive, -1),
            _build_ok(fw, rng),
        )
    )


def in_any(fw: Firmware, ranges: Iterable[Range]) -> bool | None:
    """True when any range holds it; False when none can; None otherwise."""
    results = [in_range(fw, r) for r in ranges]
    if True in results:
        return True
    return None if None in results else False
