"""Three-valued comparison and range matching of parsed firmware."""

from __future__ import annotations

from datetime import date

from camaudit.assess.versions import compare, in_any, in_range
from camaudit.data.cves import Range
from camaudit.values import Firmware, parse_firmware


def fw(text: str) -> Firmware:
    parsed = parse_firmware(text)
    assert parsed is not None, text
    return parsed


def test_compare_uses_the_build_only_to_split_equal_versions() -> None:
    assert compare(fw("V5.3.0 build 150513"), fw("V5.4.0 build 160530")) == -1
    assert compare(fw("V5.4.0 build 160601"), fw("V5.4.0 build 160530")) == 1
    assert compare(fw("V5.4.0"), fw("V5.4.0 build 160530")) is None
    assert compare(fw("V5.4.0"), fw("V5.4.0")) == 0
    assert compare(fw("2.800.0000000.8.R"), fw("V5.4.0")) is None  # another family's spelling


def test_inclusive_and_exclusive_bounds() -> None:
    closed = Range(low=fw("V5.2.0 build 140721"), high=fw("V5.4.0 build 160530"), high_inclusive=True)
    assert in_range(fw("V5.3.0 build 150513"), closed) is True
    assert in_range(fw("V5.4.0 build 160530"), closed) is True
    assert in_range(fw("V5.4.0 build 160531"), closed) is False
    assert in_range(fw("V5.2.0 build 140720"), closed) is False
    assert in_range(fw("V5.4.0"), closed) is None  # the bound's own version, build unknown
    open_top = Range(high=fw("V5.4.0 build 160530"), high_inclusive=False)
    assert in_range(fw("V5.4.0 build 160530"), open_top) is False
    after = Range(low=fw("V5.2.0 build 140721"), low_inclusive=False)
    assert in_range(fw("V5.2.0 build 140721"), after) is False


def test_build_date_bounds_need_a_build_date() -> None:
    june_2021 = Range(built_before=date(2021, 6, 1))
    assert in_range(fw("2.800.0000000.8.R, Build Date 2020-12-28"), june_2021) is True
    assert in_range(fw("2.800.0000000.25.R, Build Date 2022-05-01"), june_2021) is False
    assert in_range(fw("2.800.0000000.8.R"), june_2021) is None
    assert in_range(fw("V5.5.82 build 190909"), Range(built_from=date(2016, 1, 1))) is True


def test_any_range_decides_and_unknown_stays_unknown() -> None:
    ranges = [Range(built_before=date(2020, 1, 1)), Range(high=fw("V5.5.0"))]
    assert in_any(fw("V5.4.1 build 210101"), ranges) is True
    assert in_any(fw("V5.6.0 build 210101"), ranges) is False
    assert in_any(fw("V5.6.0"), ranges) is None
