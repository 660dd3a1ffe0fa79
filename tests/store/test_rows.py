"""The register keeps the model exactly: an audit with every kind of evidence and finding goes in and comes
back equal, field for field, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from camaudit.model import (
    Audit,
    Device,
    Evidence,
    Finding,
    FindingKind,
    Observation,
    ProbeAttempt,
    ProbeStatus,
    Severity,
    Transport,
)
from camaudit.store import Reader, Register

T0 = datetime(2027, 1, 4, 8, 30, 15, 123456, tzinfo=UTC)


def _evidence(n: int, **extra: object) -> Evidence:
    values: dict[str, object] = {
        "kind": "sadp.reply",
        "field": "sadp.SoftwareVersion",
        "value": f"V5.5.{n}build 190909 <script>",
        "rule_id": f"rule-{n}",
        "source": "probe:sadp",
        "ip": "127.3.0.1",
        "port": 37020,
        "claims": {"firmware": f"V5.5.{n} build 190909", "manufacturer": "hikvision"},
        "confidence": 0.123456789 * n,
        **extra,
    }
    return Evidence(**values)  # type: ignore[arg-type]


EVIDENCE = (
    _evidence(1),
    _evidence(2, rule_id=None, ip=None, port=None, claims={}, inferred=True),  # a bare, derived fact
    _evidence(3, kind="traffic.flow", field="egress.destination", value="203.0.113.9 tcp/443", source="pcap"),
)


def _finding(kind: FindingKind, severity: Severity, n: int) -> Finding:
    return Finding(
        check_id=f"{kind.value}-check-{n}",
        kind=kind,
        severity=severity,
        title=f"{kind.value} {severity.value} ‘quoted’ \u00e9",
        evidence=EVIDENCE[: 1 + n % 3],
        remediation="Do the thing." if n % 2 else "",
        references=(f"https://example.org/{n}",) * (n % 2),
        verified=bool(n % 2),
        status=("affected", "undetermined", "violates", "observed", "complies")[n % 5],
        details={"reason": "why", "cisa_kev": "true", "n": str(n)} if n % 2 else {},
    )


SEVERITIES = (*Severity, Severity.HIGH)  # one finding of every kind, every severity among them
FINDINGS = tuple(_finding(k, s, i) for i, (k, s) in enumerate(zip(FindingKind, SEVERITIES, strict=True)))
DEVICES = (
    Device(
        ips=("127.3.0.1", "127.3.0.11"),
        mac="c0:56:e3:00:00:01",
        ports=(80, 554, 8000),
        brand="lts",
        manufacturer="hikvision",
        model="DS-2CD2042WD-I",
        firmware="V5.5.82 build 190909",
        serial="DS-2CD2042WD-I20190101AAWR000000001",
        device_type="ip_camera",
        confidence=0.987654321012,
        evidence=EVIDENCE,
        conflicts=("mac: a discovery reply claims 00:11:22:33:44:55, layer 2 shows c0:56:e3:00:00:01",),
        findings=FINDINGS,
        firmware_inferred=False,
        firmware_build=date(2019, 9, 9),
    ),
    Device(ips=("127.3.0.2",), serial="SN-2", firmware="build 2019-05-01", firmware_inferred=True),
    Device(ips=("127.3.0.3",)),  # only answered with garbage: an address and nothing else
)
OBSERVATIONS = tuple(
    Observation(
        source=f"probe:{t.value}",
        ip=d.ip,
        port=None if t is Transport.NONE else 80,
        transport=t,
        protocol="http",
        kind="http.response",
        fields={"http.title": "<b>x</b>", "http.server": "App-webs/"},
        raw=bytes(range(256)),
        mac=d.mac,
        time=T0 + timedelta(seconds=i),
    )
    for i, (d, t) in enumerate((d, t) for d in DEVICES for t in Transport)
)
ATTEMPTS = tuple(
    ProbeAttempt("rtsp", "127.3.0.3", 554, Transport.TCP, s, s.value, 7, 1500.25, T0 + timedelta(minutes=i))
    for i, s in enumerate(ProbeStatus)
)
AUDIT = Audit(
    id="e" * 32,
    started=T0,
    scope=tuple(d.ip for d in DEVICES),
    options={"rate": 200.0, "targets": ["127.3.0.0/29"], "multicast": False, "verify": True},
    version="0.1.0",
    finished=T0 + timedelta(minutes=30),
)


def _write_and_read(db: str | Path) -> tuple[Audit, list[Device], list[Observation], list[ProbeAttempt]]:
    with Register(db) as register:
        register.begin_audit(AUDIT)
        for device in DEVICES:
            seen = [o for o in OBSERVATIONS if o.ip == device.ip]
            tried = [a for a in ATTEMPTS if a.ip == device.ip]
            register.record_host(AUDIT.id, device.ip, seen, tried, [device])
        register.finish_audit(AUDIT.id, DEVICES, AUDIT.finished)
    with Reader(db) as reader:
        record = reader.audit(AUDIT.id)
        devices = [r.device for r in reader.devices(AUDIT.id)]
        return record.audit, devices, reader.observations(AUDIT.id), reader.attempts(AUDIT.id)


def _assert_equal(db: str | Path) -> None:
    audit, devices, observations, attempts = _write_and_read(db)
    assert audit == AUDIT
    assert devices == list(DEVICES)  # findings in the order written, evidence with its address, exact floats
    assert observations == list(OBSERVATIONS)
    assert attempts == list(ATTEMPTS)


def test_every_model_type_survives_sqlite(tmp_path: Path) -> None:
    _assert_equal(tmp_path / "register.sqlite")


@pytest.fixture
def fresh_postgres(postgres_url: str) -> Iterator[str]:
    admin = sa.create_engine(postgres_url)
    with admin.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    admin.dispose()
    yield postgres_url


def test_every_model_type_survives_postgresql(fresh_postgres: str) -> None:
    _assert_equal(fresh_postgres)


def test_findings_judged_later_replace_their_kind_only_on_devices_the_audit_saw(tmp_path: Path) -> None:
    db = tmp_path / "register.sqlite"
    _write_and_read(db)
    verdict = _finding(FindingKind.POLICY, Severity.HIGH, 1)
    with Register(db) as register:
        register.replace_findings(
            AUDIT.id, FindingKind.POLICY, {DEVICES[0].key: [verdict], "ip:127.9.9.9": [verdict]}
        )
        register.replace_findings(AUDIT.id, FindingKind.POLICY, {DEVICES[0].key: [verdict]})  # again: no copy
    with Reader(db) as reader:
        [first, *_] = reader.devices(AUDIT.id)
    kept = [f for f in FINDINGS if f.kind is not FindingKind.POLICY]
    assert sorted(first.device.findings, key=repr) == sorted([*kept, verdict], key=repr)
