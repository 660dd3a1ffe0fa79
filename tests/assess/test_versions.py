"""Firmware spellings of both families, and three-valued range matching."""

from __future__ import annotations

from datetime import date

import pytest

from camaudit.assess.versions import (
    DAHUA,
    HIKVISION,
    Range,
    compare,
    in_any,
    in_range,
    parse_firmware,
    with_build_from,
)


def fw(text: str):  # type: ignore[no-untyped-def]
    parsed = parse_firmware(text)
    assert parsed is not None, text
    return parsed


@pytest.mark.parametrize(
    ("text", "family", "version", "build"),
    [
        ("V5.4.0 build 160530", HIKVISION, (5, 4, 0), date(2016, 5, 30)),
        ("V5.3.0build 150513", HIKVISION, (5, 3, 0), date(2015, 5, 13)),  # SADP SoftwareVersion spelling
        ("V4.30.085 build 200916", HIKVISION, (4, 30, 85), date(2020, 9, 16)),
        ("V5.7.15", HIKVISION, (5, 7, 15), None),
        ("2.800.0000000.8.R", DAHUA, (2, 800, 8), None),
        ("2.800.0000000.8.R, Build Date 2020-12-28", DAHUA, (2, 800, 8), date(2020, 12, 28)),
        ("2.800.00AC000.0.R.200330", DAHUA, (2, 800, 0), date(2020, 3, 30)),  # CVE-2020-5735 fixed version
        ("2.420.AC00.18.R.20200217", DAHUA, (2, 420, 18), date(2020, 2, 17)),
        ("2.800.0000000.6.R.200314.bin", DAHUA, (2, 800, 6), date(2020, 3, 14)),
        ("2.800.030000000.3.R", DAHUA, (2, 800, 3), None),  # Lorex branch code
    ],
)
def test_both_families_parse(text: str, family: str, version: tuple[int, ...], build: date | None) -> None:
    parsed = fw(text)
    assert (parsed.family, parsed.version, parsed.build) == (family, version, build)


@pytest.mark.parametrize("text", ["", "9.70.1.5", "firmware 1", "V5.4.0 build 991399", "x" * 300, None])
def test_other_spellings_and_nonsense_are_not_guessed(text: str | None) -> None:
    parsed = parse_firmware(text)
    assert parsed is None or parsed.build is None  # a bad date is no date, never a crash


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


def test_a_build_date_is_borrowed_only_from_the_same_version() -> None:
    bare = fw("2.800.0000000.8.R")
    assert with_build_from(bare, ["2.800.0000000.9.R, Build Date 2021-01-01"]).build is None
    filled = with_build_from(bare, ["junk", "2.800.0000000.8.R, Build Date 2020-12-28"])
    assert filled.build == date(2020, 12, 28)
