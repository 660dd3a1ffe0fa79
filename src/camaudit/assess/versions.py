"""Firmware comparison and range matching for the Hikvision and Dahua families.

Parsing lives in `camaudit.values` (one spelling per version, with the build date); the ranges are CVE
knowledge (`camaudit.data.cves.Range`). Comparisons are three-valued: True, False, or None when the
firmware does not carry what a bound needs (a build date unknown, another family's spelling). None becomes
an "undetermined" finding, never "safe".
"""

from __future__ import annotations

from collections.abc import Iterable

from camaudit.data.cves import Range
from camaudit.values import Firmware


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
