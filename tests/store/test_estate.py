"""A central register's latest audit is the whole estate: every site's latest finished audit, not the
site that happened to report last."""

from __future__ import annotations

from pathlib import Path

from tests.store.conftest import T0, audit, finding, hik, observation

from camaudit import report
from camaudit.model import Device
from camaudit.report.inputs import from_register
from camaudit.store import Reader, Register, diff


def _site_audit(register: Register, audit_id: str, site: str, devices: list[Device], days: int = 0) -> None:
    """What the central server does for one site's scan: begin, each host once, finish, the estate."""
    register.begin_site_audit(audit(audit_id, days, tuple(d.ip for d in devices)), site)
    for d in devices:
        register.record_host_once(audit_id, d.ip, [observation(d.ip)], [], [d])
    register.finish_audit(audit_id, devices, T0)
    register.record_estate()


def test_the_latest_audit_of_a_central_register_shows_every_site(register: Register, db: Path) -> None:
    _site_audit(register, "n1", "north", [hik("10.0.0.5", serial=None, findings=(finding(),))])
    _site_audit(register, "s1", "south", [hik("10.0.0.5", serial=None), hik("10.0.0.6", serial=None)], days=1)
    with Reader(db) as reader:
        latest = reader.audit()
        assert latest.kind == "estate" and dict(latest.options["sites"]) == {"north": "n1", "south": "s1"}
        keys = sorted(r.key for r in reader.devices(latest.id))
        assert keys == ["site:north/ip:10.0.0.5", "site:south/ip:10.0.0.5", "site:south/ip:10.0.0.6"]
        assert [f.check_id for _, f in reader.findings(latest.id)] == ["cve-2017-7921"]
        assert reader.recorded_hosts(latest.id) == {"10.0.0.5", "10.0.0.6"}
        assert reader.observations(latest.id) == []  # raw replies stay with each site's audit
    view = report.build(db, policy=None)
    assert len(view["devices"]) == 3 and view["audit"]["kind"] == "estate"
    estates = [a.id for a in Reader(db).audits("estate")]
    assert [seen.audit_id for seen in from_register(db).history] == estates  # progress: estate to estate


def test_estates_compare_with_estates_and_take_each_sites_latest_audit(register: Register, db: Path) -> None:
    _site_audit(register, "n1", "north", [hik("10.0.0.5")])
    _site_audit(register, "s1", "south", [hik("10.1.0.5", serial="OTHER-SERIAL")], days=1)
    _site_audit(register, "n2", "north", [hik("10.0.0.5", firmware="V5.7.15 build 230101")], days=2)
    with Reader(db) as reader:
        latest = reader.audit()
        assert dict(latest.options["sites"]) == {"north": "n2", "south": "s1"}
        before = reader.previous(latest)
        assert before is not None and before.kind == "estate"
        changes = diff(before.id, reader.devices(before.id), latest.id, reader.devices(latest.id))
    assert (changes.new, changes.gone) == ((), ())  # south's device did not move
    assert [[c.field for c in d.changes] for d in changes.changed] == [["firmware"]]  # north's did
    with Reader(db) as reader:
        north = reader.device_id("site:north/serial:" + str(hik().serial))
        assert [h.audit_id for h in reader.history(north)] == ["n1", "n2"]  # not the estates


def test_a_register_without_site_audits_has_no_estate(register: Register, db: Path) -> None:
    register.begin_audit(audit("local"))
    register.record_host("local", "10.0.0.5", [observation("10.0.0.5")], [], [hik("10.0.0.5")])
    register.finish_audit("local", [hik("10.0.0.5")], T0)
    assert register.record_estate() is None
    with Reader(db) as reader:
        assert reader.audit().id == "local"


def test_the_report_of_an_estate_names_its_sites(register: Register, db: Path, tmp_path: Path) -> None:
    from camaudit.report.formats import html

    _site_audit(register, "n1", "north", [hik("10.0.0.5", serial=None)])
    _site_audit(register, "s1", "south", [hik("10.0.0.5", serial=None)], days=1)
    page = html.render(report.build(db, policy=None))
    assert "Estate of 2 sites (north, south): each site's latest audit" in page
