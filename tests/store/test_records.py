"""The register's records: times come back in UTC, an audit record is the model's audit."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from camaudit.model import Audit
from camaudit.store.records import AuditRecord, DeviceStatus, user_from, utc


def test_naive_times_from_sqlite_are_utc() -> None:
    assert utc(datetime(2027, 1, 1, 9)) == datetime(2027, 1, 1, 9, tzinfo=UTC) and utc(None) is None


def test_an_audit_record_is_the_audit_plus_its_progress() -> None:
    when = datetime(2027, 1, 1, tzinfo=UTC)
    record = AuditRecord("a" * 32, when, None, ("127.0.0.1",), {"rate": 1.0}, "0.1.0", hosts_done=1)
    assert (
        record.audit == Audit("a" * 32, when, ("127.0.0.1",), {"rate": 1.0}, "0.1.0") and not record.complete
    )


def test_peoples_fields_from_a_row() -> None:
    fields = dict.fromkeys(("site", "location", "owner", "purpose", "notes", "due", "acquired"))
    user = user_from(SimpleNamespace(**fields, status="removed"))
    assert user.status is DeviceStatus.REMOVED and user.site is None
