"""Reading the register: audits by prefix, devices by any handle, history, every device as last seen."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.store.conftest import hik, record_audit

from camaudit.store import Reader, Register, RegisterError


@pytest.fixture
def two_audits(register: Register, db: Path) -> Path:
    record_audit(register, "a" * 32, [hik(), hik("127.0.0.9", serial="OTHER1", model="DS-7608NI-K2")])
    moved = hik("127.0.0.5", firmware="V5.7.15 build 230626")
    record_audit(register, "b" * 32, [moved], days=7)
    return db


def test_audits_are_found_by_prefix_and_the_latest_finished_is_the_default(two_audits: Path) -> None:
    with Reader(two_audits) as reader:
        assert reader.audit().id == "b" * 32
        assert reader.audit("aaaa").id == "a" * 32
        assert reader.previous(reader.audit()).id == "a" * 32  # type: ignore[union-attr]
        assert reader.previous(reader.audit("a")) is None
        with pytest.raises(RegisterError, match="no audit"):
            reader.audit("c")


def test_history_names_address_and_firmware_changes(two_audits: Path) -> None:
    with Reader(two_audits) as reader:
        history = reader.history(reader.device_id("serial:DS-2CD2347G2-LU20230101AAWRJ1"))
    assert [h.changes for h in history] == [
        ("first seen",),
        ("address 127.0.0.1 -> 127.0.0.5", "firmware V5.7.3 build 220112 -> V5.7.15 build 230626"),
    ]


def test_a_device_is_found_by_number_key_serial_or_address(two_audits: Path) -> None:
    with Reader(two_audits) as reader:
        ids = {
            reader.device_id(ref)
            for ref in (
                "1",
                "serial:DS-2CD2347G2-LU20230101AAWRJ1",
                "DS-2CD2347G2-LU20230101AAWRJ1",
                "127.0.0.5",
            )
        }
        assert ids == {1}
        assert reader.device_id("127.0.0.9") == 2
        with pytest.raises(RegisterError, match="no device"):
            reader.device_id("127.9.9.9")


def test_every_device_as_last_seen_includes_those_only_in_a_spreadsheet(
    register: Register, two_audits: Path
) -> None:
    register.annotate(register.ensure_device("ip:10.0.0.7"), site="Depot")
    with Reader(two_audits) as reader:
        known = {r.key: r for r in reader.register_devices()}
    assert known["serial:DS-2CD2347G2-LU20230101AAWRJ1"].device.ip == "127.0.0.5"  # the latest sighting
    assert known["serial:OTHER1"].device.ip == "127.0.0.9"
    spreadsheet_only = known["ip:10.0.0.7"]
    assert (spreadsheet_only.device.ip, spreadsheet_only.user.site, spreadsheet_only.audit_id) == (
        "10.0.0.7",
        "Depot",
        None,
    )
