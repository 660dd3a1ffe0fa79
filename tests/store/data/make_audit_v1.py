"""How audit-v1.sqlite was made (kept for the record; the .sqlite file itself is never regenerated).

It is a register at schema 0001 holding two audits of three devices: one whose firmware changed between
the audits, one with people's fields (site, status to_replace, due date), and hostile device strings.
Run once with `python tests/store/data/make_audit_v1.py OUT.sqlite` while 0001 was the newest schema.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime

import sqlalchemy as sa

from camaudit.store.engine import _sqlite_writer, upgrade

T1 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)


def _sighting(audit: str, device: int, seen: datetime, ip: str, **values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "audit_id": audit,
        "device_id": device,
        "seen_at": seen,
        "ip": ip,
        "ips": [ip],
        "mac": None,
        "ports": [80, 554],
        "brand": None,
        "manufacturer": None,
        "model": None,
        "firmware": None,
        "firmware_inferred": False,
        "serial": None,
        "device_type": "ip_camera",
        "confidence": 0.9,
        "conflicts": [],
        "evidence": [
            {
                "observation_kind": "http.response",
                "field": "http.server",
                "value": "Webs",
                "rule_id": "http-server-webs",
                "claims": {},
                "confidence": 0.6,
                "source": "probe:http",
                "port": 80,
                "inferred": False,
            }
        ],
    }
    return {**base, **values}


def main(out: str) -> None:
    engine = _sqlite_writer(sa.make_url(f"sqlite:///{out}"))
    upgrade(engine, "0001")
    meta = sa.MetaData()
    meta.reflect(engine)
    tb = meta.tables
    with engine.begin() as conn:
        for audit, when in (("a" * 32, T1), ("b" * 32, T2)):
            conn.execute(
                sa.insert(tb["audits"]).values(
                    id=audit,
                    started=when,
                    finished=when.replace(minute=5),
                    scope=["127.1.0.1", "127.1.0.2", "127.1.0.3"],
                    options={"rate": 200.0, "targets": ["127.1.0.0/30"]},
                    version="0.1.0",
                )
            )
            for ip in ("127.1.0.1", "127.1.0.2", "127.1.0.3"):
                conn.execute(sa.insert(tb["hosts"]).values(audit_id=audit, ip=ip, done_at=when))
        # One INSERT per row: an executemany takes its columns from the first row only.
        for row in (
            {
                "key": "serial:DS-2CD2347G2-LU20230101AAWRJ12345678",
                "first_seen": T1,
                "last_seen": T2,
                "status": "in_service",
            },
            {
                "key": "ip:127.1.0.2",
                "first_seen": T1,
                "last_seen": T2,
                "site": "HQ",
                "location": "car park",
                "owner": "facilities",
                "purpose": "perimeter",
                "notes": "pole 3",
                "status": "to_replace",
                "due": date(2027, 3, 31),
            },
            {"key": "ip:127.1.0.3", "first_seen": T1, "last_seen": T2, "status": "in_service"},
        ):
            conn.execute(sa.insert(tb["devices"]).values(row))
        hik = {
            "brand": "hikvision",
            "manufacturer": "hikvision",
            "model": "DS-2CD2347G2-LU",
            "serial": "DS-2CD2347G2-LU20230101AAWRJ12345678",
        }
        conn.execute(
            sa.insert(tb["sightings"]),
            [
                _sighting("a" * 32, 1, T1, "127.1.0.1", firmware="V5.7.3 build 220112", **hik),
                _sighting("b" * 32, 1, T2, "127.1.0.1", firmware="V5.7.15 build 230626", **hik),
                _sighting("a" * 32, 2, T1, "127.1.0.2", brand="lorex", manufacturer="dahua", model="LNB8005"),
                _sighting("b" * 32, 2, T2, "127.1.0.2", brand="lorex", manufacturer="dahua", model="LNB8005"),
                _sighting("a" * 32, 3, T1, "127.1.0.3", model="<script>alert(1)</script>", device_type=None),
                _sighting("b" * 32, 3, T2, "127.1.0.3", model="<script>alert(1)</script>", device_type=None),
            ],
        )
        conn.execute(
            sa.insert(tb["observations"]).values(
                audit_id="b" * 32,
                ip="127.1.0.3",
                port=80,
                transport="tcp",
                protocol="http",
                kind="http.response",
                source="probe:http",
                fields={"http.title": "<script>alert(1)</script>"},
                raw=b"HTTP/1.1 200 OK\r\n\r\n<script>alert(1)</script>",
                mac=None,
                time=T2,
            )
        )
        conn.execute(
            sa.insert(tb["attempts"]).values(
                audit_id="b" * 32,
                probe="http",
                ip="127.1.0.3",
                port=8080,
                transport="tcp",
                status="timeout",
                error_reason="no reply in 2.0 s",
                bytes_read=0,
                duration_ms=2000.0,
                time=T2,
            )
        )
        conn.execute(
            sa.insert(tb["findings"]).values(
                audit_id="b" * 32,
                device_id=1,
                check_id="cve-2017-7921",
                kind="vulnerability",
                severity="critical",
                status="undetermined",
                verified=False,
                title="Improper authentication (CVE-2017-7921)",
                remediation="Update the firmware.",
                references=["https://nvd.nist.gov/vuln/detail/CVE-2017-7921"],
                evidence=[],
                details={"kev": "true", "cvss": "10.0"},
            )
        )
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1])
