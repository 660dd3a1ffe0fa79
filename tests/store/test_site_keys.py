"""A central register keeps each site's devices apart: sites reuse private addresses, and a site must
not be able to claim another site's device (by its address or its MAC)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from tests.store.conftest import T0, audit, finding, hik, observation

from camaudit.model import Device, FindingKind
from camaudit.store import Reader, Register


def _site_audit(register: Register, audit_id: str, site: str, devices: list[Device], days: int = 0) -> None:
    """What the central server writes for one site's scan: begin, each host once, finish."""
    register.begin_site_audit(audit(audit_id, days, tuple(d.ip for d in devices)), site)
    for d in devices:
        register.record_host_once(audit_id, d.ip, [observation(d.ip)], [], [d])
    register.finish_audit(audit_id, devices, T0)


def _keys(db: Path) -> dict[str, str | None]:
    with Reader(db) as reader:
        records = reader.register_devices()
    for r in records:  # a site's device starts with its site as the people's field `site`
        site = r.key.split("/")[0].removeprefix("site:") if r.key.startswith("site:") else None
        assert r.user.site == site
    return {r.key: r.device.model for r in records}


def test_two_sites_with_the_same_private_address_keep_two_devices(register: Register, db: Path) -> None:
    _site_audit(register, "n1", "north", [hik("192.168.1.10", model="DS-2CD2347G2-LU", serial=None)])
    _site_audit(register, "s1", "south", [hik("192.168.1.10", model="DS-7608NI-K2", serial=None)])
    assert _keys(db) == {
        "site:north/ip:192.168.1.10": "DS-2CD2347G2-LU",
        "site:south/ip:192.168.1.10": "DS-7608NI-K2",
    }


def test_a_site_cannot_take_over_another_sites_device_by_its_mac(register: Register, db: Path) -> None:
    mac = "c0:56:e3:11:22:33"
    _site_audit(register, "n1", "north", [hik("10.0.0.5", mac=mac)])
    _site_audit(register, "s1", "south", [hik("10.9.9.9", mac=mac, model="DS-FAKE")])
    assert _keys(db) == {f"site:north/mac:{mac}": "DS-2CD2347G2-LU", f"site:south/mac:{mac}": "DS-FAKE"}


def test_a_sites_later_audit_finds_its_device_again_and_local_audits_are_unscoped(
    register: Register, db: Path
) -> None:
    _site_audit(register, "n1", "north", [hik("10.0.0.5")])
    _site_audit(register, "n2", "north", [hik("10.0.0.5", firmware="V5.7.15")], days=1)
    register.begin_audit(audit("local"))
    register.record_host("local", "10.0.0.5", [observation("10.0.0.5")], [], [hik("10.0.0.5")])
    serial = hik().serial
    assert set(_keys(db)) == {f"site:north/serial:{serial}", f"serial:{serial}"}
    with Reader(db) as reader:
        north = reader.devices("n2")[0]
        assert [h.audit_id for h in reader.history(north.id)] == ["n1", "n2"]  # oldest first


def test_policy_findings_reach_a_site_device_by_its_device_key(register: Register, db: Path) -> None:
    device = hik("10.0.0.5")
    _site_audit(register, "n1", "north", [device])
    verdict = finding("policy-ndaa-889", kind=FindingKind.POLICY)
    register.replace_findings("n1", FindingKind.POLICY, {device.key: [verdict]})
    with Reader(db) as reader:
        assert [f.check_id for _, f in reader.findings("n1")] == ["policy-ndaa-889"]


def test_schema_7_moves_each_sites_own_devices_under_its_site(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from camaudit.store import writer

    monkeypatch.setattr(writer, "key_scope", lambda conn, audit_id: "")  # how schema 6 keyed them
    with Register(db) as register:
        _site_audit(register, "s1", "south", [hik("10.0.0.7", serial=None)])
        _site_audit(register, "n1", "north", [hik("10.0.0.5", serial=None)])
        _site_audit(register, "s2", "south", [hik("10.0.0.5", serial=None)], days=1)  # merged with north's
    monkeypatch.undo()
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '0006'")
    with Register(db) as register:  # opening upgrades it
        assert set(_keys(db)) == {"site:south/ip:10.0.0.7", "ip:10.0.0.5"}
        moved = Reader(db).device_id("site:south/ip:10.0.0.7")
        _site_audit(register, "s3", "south", [hik("10.0.0.7", serial=None)], days=2)
    with Reader(db) as reader:
        assert [r.id for r in reader.devices("s3")] == [moved]  # found again: its history goes on
        assert [h.audit_id for h in reader.history(moved)] == ["s1", "s3"]
