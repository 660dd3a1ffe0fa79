"""The one writer: per-host transactions, final devices, generic findings, people's fields, no secrets."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.store.conftest import attempt, audit, finding, hik, observation, record_audit

from camaudit.model import FindingKind, Severity
from camaudit.store import DeviceStatus, Reader, Register, RegisterError
from camaudit.store.schema import METADATA
from camaudit.store.writer import public_options


def test_each_host_is_readable_as_soon_as_it_is_recorded(register: Register, db: Path) -> None:
    register.begin_audit(audit("a1", scope=("127.0.0.1", "127.0.0.2")))
    register.record_host("a1", "127.0.0.1", [observation()], [attempt()], [hik()])
    with Reader(db) as reader:  # another connection, while the audit is still running
        [running] = reader.audits()
        assert (running.complete, running.hosts_done) == (False, 1)
        assert reader.recorded_hosts("a1") == {"127.0.0.1"}
        assert [o.fields["http.server"] for o in reader.observations("a1")] == ["Webs"]
        assert [a.error_reason for a in reader.attempts("a1")] == ["no reply in 2.0 s"]
        assert [r.device.model for r in reader.devices("a1")] == ["DS-2CD2347G2-LU"]


def test_a_host_is_all_or_nothing(register: Register, db: Path) -> None:
    register.begin_audit(audit("a1"))
    register.record_host("a1", "127.0.0.1", [observation()], [], [])
    with pytest.raises(sa.exc.IntegrityError):  # the same host twice: the second transaction rolls back whole
        register.record_host("a1", "127.0.0.1", [observation(), observation()], [], [hik()])
    with Reader(db) as reader:
        assert len(reader.observations("a1")) == 1
        assert reader.devices("a1") == []


def test_finish_replaces_provisional_devices_and_stamps_the_audit(register: Register, db: Path) -> None:
    register.begin_audit(audit("a1", scope=("127.0.0.1", "127.0.0.2")))
    register.record_host("a1", "127.0.0.1", [], [], [hik(model=None)])
    register.record_host("a1", "127.0.0.2", [], [], [])
    register.finish_audit("a1", [hik(findings=(finding(),))])
    with Reader(db) as reader:
        assert reader.audit().id == "a1"
        [record] = reader.devices("a1")
    assert record.device.model == "DS-2CD2347G2-LU"
    assert [f.check_id for f in record.device.findings] == ["cve-2017-7921"]


def test_a_batch_of_hosts_is_one_transaction_and_final_with_finish_none(register: Register, db: Path) -> None:
    """What an import writes: many hosts at once, each device final; an earlier device is found again."""
    register.begin_audit(audit("a0"))
    register.record_host("a0", "127.0.0.1", [], [], [hik()])
    register.finish_audit("a0", None)
    register.begin_audit(audit("a1", scope=("127.0.0.1", "127.0.0.2")))
    other = dataclasses.replace(hik(findings=(finding(),)), ips=("127.0.0.2",), mac="aa:bb:cc:00:00:02")
    register.record_hosts("a1", [("127.0.0.1", [observation()], [hik()]), ("127.0.0.2", [], [other])])
    register.finish_audit("a1", None)
    with Reader(db) as reader:
        devices = {r.device.ip: r for r in reader.devices("a1")}
        earlier = {r.device.ip: r.id for r in reader.devices("a0")}
        assert reader.audit("a1").complete and reader.recorded_hosts("a1") == {"127.0.0.1", "127.0.0.2"}
        assert len(reader.observations("a1")) == 1
    assert devices["127.0.0.1"].id == earlier["127.0.0.1"]
    assert [f.check_id for f in devices["127.0.0.2"].device.findings] == ["cve-2017-7921"]


def test_finishing_an_unknown_audit_fails(register: Register) -> None:
    with pytest.raises(RegisterError, match="no audit"):
        register.finish_audit("nope", [])


def test_any_finding_round_trips_whatever_check_made_it(register: Register, db: Path) -> None:
    made = (
        finding(),
        finding(
            "egress-p2p-cloud",
            kind=FindingKind.EGRESS,
            severity=Severity.HIGH,
            verified=False,
            status="observed",
            details={"destination": "ezvizlife.com", "bytes": "12000"},
        ),
        finding(
            "policy-ndaa-889",
            kind=FindingKind.POLICY,
            severity=Severity.MEDIUM,
            status="violates",
            details={"pack": "US-NDAA-889"},
            evidence=(),
        ),
    )
    record_audit(register, "a1", [hik(findings=made)])
    with Reader(db) as reader:
        [record] = reader.devices("a1")
    assert record.device.findings == made


def test_a_device_round_trips_with_its_evidence(register: Register, db: Path) -> None:
    device = hik(
        conflicts=("SADP says hikvision, OUI says dahua",), firmware_inferred=True, mac="c0:6d:ed:4a:71:2e"
    )
    record_audit(register, "a1", [device])
    with Reader(db) as reader:
        [record] = reader.devices("a1")
    assert record.key == "mac:c0:6d:ed:4a:71:2e"
    got = record.device
    assert dataclasses.replace(got, evidence=()) == dataclasses.replace(device, evidence=())
    assert [(e.field, e.value, e.rule_id, dict(e.claims)) for e in got.evidence] == [
        ("http.server", "Webs", "http-server-webs", {"manufacturer": "hikvision"})
    ]


def test_scans_never_overwrite_peoples_fields(register: Register, db: Path) -> None:
    record_audit(register, "a1", [hik()])
    register.annotate(1, site="HQ", owner="facilities", status="to_replace", due=date(2027, 3, 31))
    record_audit(register, "a2", [hik(firmware="V5.7.15 build 230626")], days=7)
    with Reader(db) as reader:
        [record] = reader.devices("a2")
    assert (record.user.site, record.user.owner) == ("HQ", "facilities")
    assert (record.user.status, record.user.due) == (DeviceStatus.TO_REPLACE, date(2027, 3, 31))
    assert record.device.firmware == "V5.7.15 build 230626"


def test_status_changes_are_history(register: Register, db: Path) -> None:
    record_audit(register, "a1", [hik()])
    register.annotate(1, status="to_replace", due=date(2027, 3, 31))
    register.annotate(1, site="HQ")  # not a status change
    register.annotate(1, status="replaced")
    with Reader(db) as reader:
        changes = reader.status_history(1)
    assert [(c.status.value, c.due) for c in changes] == [
        ("in_service", None),
        ("to_replace", date(2027, 3, 31)),
        ("replaced", date(2027, 3, 31)),
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"status": "melted"}, "melted"), ({"due": "tomorrow"}, "date"), ({"firmware": "x"}, "people maintain")],
)
def test_annotate_refuses_what_people_do_not_maintain(
    register: Register, changes: dict[str, object], message: str
) -> None:
    record_audit(register, "a1", [hik()])
    with pytest.raises(ValueError, match=message):
        register.annotate(1, **changes)


def test_no_column_can_hold_a_credential() -> None:
    names = [f"{table.name}.{c.name}" for table in METADATA.tables.values() for c in table.columns]
    risky = [
        n for n in names if any(word in n.split(".")[1] for word in ("pass", "secret", "credential", "token"))
    ]
    # The dashboard's accounts keep one-way hashes only (argon2 of a password, SHA-256 of a random token).
    assert risky == ["users.password_hash", "api_tokens.token_hash"]


def test_secret_options_never_reach_the_file(db: Path) -> None:
    secret = "hunter2-Zq8"
    options = {
        "rate": 5.0,
        "password": secret,
        "credentials_file": f"/etc/{secret}",
        "api_token": secret,
        "credentials": True,
    }
    with Register(db) as register:
        register.begin_audit(dataclasses.replace(audit("a1"), options=options))
    assert public_options(options) == {"rate": 5.0, "credentials": True}
    for path in db.parent.iterdir():
        assert secret.encode() not in path.read_bytes(), path


def test_a_second_device_claiming_a_taken_key_is_keyed_by_address(register: Register, db: Path) -> None:
    twin = hik("127.0.0.2")  # same serial, another address (a cloned or lying device)
    record_audit(register, "a1", [hik(), twin])
    with Reader(db) as reader:
        keys = sorted(r.key for r in reader.devices("a1"))
    assert keys == ["ip:127.0.0.2", "serial:DS-2CD2347G2-LU20230101AAWRJ1"]


def test_a_second_writer_waits_for_the_first_instead_of_failing(db: Path) -> None:
    import threading
    import time

    with Register(db) as first, Register(db) as second:
        done = threading.Event()
        with first.engine.begin() as conn:  # BEGIN IMMEDIATE: the write lock is held from here
            conn.execute(
                sa.text("INSERT INTO audits VALUES ('a1', '2026-01-01 00:00:00', NULL, '[]', '{}', '')")
            )
            worker = threading.Thread(target=lambda: (second.begin_audit(audit("a2")), done.set()))
            worker.start()
            time.sleep(0.5)
            assert not done.is_set()  # queued on the lock, not failed
        worker.join(10)
        assert done.is_set()
    with Reader(db) as reader:
        assert [a.id for a in reader.audits()] == ["a1", "a2"]
