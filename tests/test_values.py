"""The one spelling of a MAC address and of a firmware version (with its build date)."""

from __future__ import annotations

from datetime import date

import pytest

from camaudit.values import (
    DAHUA,
    HIKVISION,
    Firmware,
    firmware_build,
    is_multicast_mac,
    normal_firmware,
    normalise_mac,
    parse_firmware,
    with_build_from,
)


def fw(text: str) -> Firmware:
    parsed = parse_firmware(text)
    assert parsed is not None, text
    return parsed


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("00-11-22-AA-BB-CC", "00:11:22:aa:bb:cc"),
        ("00:11:22:aa:bb:cc", "00:11:22:aa:bb:cc"),
        (" 001122AABBCC ", "00:11:22:aa:bb:cc"),
        ("0011.22aa.bbcc", "00:11:22:aa:bb:cc"),
        ("0:f:7c:1:2:3", "00:0f:7c:01:02:03"),  # macOS `arp -a` drops leading zeros
        ("0:f-7c:1:2:3", None),
        ("00-11:22-aa-bb-cc", None),  # one separator throughout, or it is not a MAC
        ("00-11-22-aa-bb", None),
        ("not-a-mac", None),
        ("zz:zz:zz:zz:zz:zz", None),
        ("", None),
    ],
)
def test_one_spelling_of_a_mac(raw: str, expected: str | None) -> None:
    assert normalise_mac(raw) == expected


def test_the_group_bit_marks_a_multicast_mac() -> None:
    assert is_multicast_mac("01:00:5e:00:00:01") and not is_multicast_mac("44:19:b6:00:00:01")


def test_one_spelling_of_a_hikvision_firmware() -> None:
    assert (
        normal_firmware("V5.5.82build 190909")
        == normal_firmware(" V5.5.82 build 190909")
        == ("V5.5.82 build 190909")
    )
    assert normal_firmware("2.800.0000000.8.R ") == "2.800.0000000.8.R" and normal_firmware(None) is None


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


def test_a_build_date_is_borrowed_only_from_the_same_version() -> None:
    bare = fw("2.800.0000000.8.R")
    assert with_build_from(bare, ["2.800.0000000.9.R, Build Date 2021-01-01"]).build is None
    filled = with_build_from(bare, ["junk", "2.800.0000000.8.R, Build Date 2020-12-28"])
    assert filled.build == date(2020, 12, 28)


def test_the_build_date_of_a_firmware_string_or_of_another_report() -> None:
    assert firmware_build("V5.4.0 build 160530") == date(2016, 5, 30)
    assert firmware_build("2.800.0000000.8.R") is None
    assert firmware_build("2.800.0000000.8.R", ["2.800.0000000.8.R, Build Date 2020-12-28"]) == date(
        2020, 12, 28
    )
    assert firmware_build("firmware 1", ["V5.4.0 build 160530"]) is None


def test_is_address_answers_as_ip_address_does() -> None:
    from ipaddress import ip_address

    from camaudit.values import is_address

    for text in ("192.0.2.1", "0.0.0.0", "255.255.255.255", "::1", "fe80::1", "01.2.3.4", "256.1.1.1",
                 "1.2.3", "evil.example", "", "١.2.3.4", "1.2.3.4\n"):  # fmt: skip
        try:
            ip_address(text)
            valid = True
        except ValueError:
            valid = False
        assert is_address(text) is valid, text
