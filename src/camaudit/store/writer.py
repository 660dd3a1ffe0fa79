"""The register's one writer: audits, hosts as they complete, the final devices, and people's fields.

Every public method is one transaction. `record_host` is called once per probed host while the audit runs
(so kill -9 loses no finished host); `finish_audit` replaces the audit's sightings with the final, fused
devices and stamps the audit finished. Async callers go through `arun`, which runs writes one at a time on
the writer's own thread (STYLE.md R12: one writer behind a queue).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from camaudit.model import (
    Audit,
    Device,
    Finding,
    FindingKind,
    LoginAttempt,
    Observation,
    ProbeAttempt,
    printable,
    utcnow,
)
from camaudit.store import schema as t
from camaudit.store.engine import RegisterError, writer_engine
from camaudit.store.estate import record_snapshot, site_of
from camaudit.store.records import DeviceStatus, UserFields, user_from
from camaudit.store.rows import device_row, finding_row, row_of

R = TypeVar("R")
# Option names that could carry a secret never reach the audit record, whatever a caller passes.
_SECRET = re.compile(r"pass|secret|credential|token|key|auth", re.IGNORECASE)
_TEXT_CAP = 2000  # characters kept per user field


def public_options(options: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if not _SECRET.search(k) or isinstance(v, bool)}


class Register:
    """Opens (and migrates) the register for writing. Use as a context manager or call `close`."""

    def __init__(self, db: str | Path | None = None) -> None:
        self.engine = writer_engine(db)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="camaudit-register")

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        self.engine.dispose()

    async def arun(self, fn: Callable[..., R], *args: Any) -> R:
        """Run one write on the writer thread, in order with every other write."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    # --- audits ------------------------------------------------------------------------------

    def begin_audit(self, audit: Audit) -> None:
        row = row_of(replace(audit, options=public_options(audit.options)), t.AUDITS)
        with self.engine.begin() as conn:
            conn.execute(sa.insert(t.AUDITS).values(row))

    def record_host(
        self,
        audit_id: str,
        ip: str,
        observations: Sequence[Observation],
        attempts: Sequence[ProbeAttempt],
        devices: Sequence[Device] = (),
    ) -> None:
        """One host, in one transaction: its observations, failed attempts and first identification."""
        with self.engine.begin() as conn:
            conn.execute(sa.insert(t.HOSTS).values(audit_id=audit_id, ip=ip, done_at=utcnow()))
            if observations:
                rows = [{"audit_id": audit_id, **row_of(o, t.OBSERVATIONS)} for o in observations]
                conn.execute(sa.insert(t.OBSERVATIONS), rows)
            if attempts:
                rows = [{"audit_id": audit_id, **row_of(a, t.ATTEMPTS)} for a in attempts]
                conn.execute(sa.insert(t.ATTEMPTS), rows)
            _write_devices(conn, audit_id, devices, utcnow())

    def record_hosts(
        self, audit_id: str, hosts: Sequence[tuple[str, Sequence[Observation], Sequence[Device]]]
    ) -> None:
        """Many hosts in one transaction (an import: thousands of addresses, each already final).

        The same rows as `record_host` for each, without failed attempts; one commit per batch instead of
        one per host is what lets a 100,000-host file be recorded in minutes.
        """
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(t.HOSTS), [{"audit_id": audit_id, "ip": ip, "done_at": now} for ip, _, _ in hosts]
            )
            rows = [
                {"audit_id": audit_id, **row_of(o, t.OBSERVATIONS)} for _, found, _ in hosts for o in found
            ]
            if rows:
                conn.execute(sa.insert(t.OBSERVATIONS), rows)
            _write_many(conn, audit_id, [d for _, _, devices in hosts for d in devices], now)

    def finish_audit(
        self, audit_id: str, devices: Sequence[Device] | None, finished: datetime | None = None
    ) -> None:
        """Replace the audit's provisional per-host devices with the final ones and mark it finished.

        With `devices` None, the devices `record_host` wrote are final (an import writes each address
        once, already identified and assessed: holding them all to write again would cost memory).
        """
        finished = finished or utcnow()
        with self.engine.begin() as conn:
            if devices is not None:
                for table in (t.FINDINGS, t.SIGHTINGS):
                    conn.execute(sa.delete(table).where(table.c.audit_id == audit_id))
                _write_devices(conn, audit_id, devices, finished)
            done = conn.execute(
                sa.update(t.AUDITS).where(t.AUDITS.c.id == audit_id).values(finished=finished)
            )
            if done.rowcount != 1:
                raise RegisterError(f"no audit {audit_id} in the register")

    def replace_findings(
        self, audit_id: str, kind: FindingKind, by_key: Mapping[str, Sequence[Finding]]
    ) -> None:
        """Replace one kind of finding of the devices (by register key) that `audit_id` saw.

        Used for findings judged after the audit (policy verdicts): judging again replaces, never adds.
        A key the audit did not see is skipped.
        """
        with self.engine.begin() as conn:
            scope = key_scope(conn, audit_id)  # callers know a device by `Device.key`
            by_key = {scope + k: v for k, v in by_key.items()}
            seen = _sighted(conn, audit_id, by_key)
            f = t.FINDINGS.c
            for device_id in seen.values():
                conn.execute(
                    sa.delete(t.FINDINGS).where(
                        f.audit_id == audit_id, f.device_id == device_id, f.kind == kind.value
                    )
                )
            rows = [_finding(audit_id, seen[k], x) for k, found in by_key.items() if k in seen for x in found]
            if rows:
                conn.execute(sa.insert(t.FINDINGS), rows)

    # --- audits reported by a site's scanner (multi-site) --------------------------------------

    def begin_site_audit(self, audit: Audit, site: str) -> bool:
        """Record an audit a site reports; False when it was already recorded for that site (a retry).

        An audit id already owned by another site is refused: a site writes only its own audits.
        """
        with self.engine.begin() as conn:
            owner = site_of(conn, audit.id)
            if owner is not None:
                if owner != site:
                    raise RegisterError(f"audit {audit.id} belongs to another site")
                return False
            if conn.execute(sa.select(t.AUDITS.c.id).where(t.AUDITS.c.id == audit.id)).first():
                raise RegisterError(f"audit {audit.id} belongs to another site")
            row = row_of(replace(audit, options=public_options(audit.options)), t.AUDITS)
            conn.execute(sa.insert(t.AUDITS).values(row))
            conn.execute(sa.insert(t.AUDIT_SITES).values(audit_id=audit.id, site=site))
        return True

    def record_estate(self, at: datetime | None = None) -> str | None:
        """After a site's audit: a snapshot of every site's latest finished audit (`store.estate`)."""
        with self.engine.begin() as conn:
            return record_snapshot(conn, at or utcnow())

    def record_host_once(
        self,
        audit_id: str,
        ip: str,
        observations: Sequence[Observation],
        attempts: Sequence[ProbeAttempt],
        devices: Sequence[Device] = (),
    ) -> bool:
        """`record_host`, idempotent per audit and host: False (nothing written) when it is already there.

        The host row is the transaction's first insert, so a retry fails on its primary key before anything
        else is written, and the whole transaction rolls back.
        """
        try:
            self.record_host(audit_id, ip, observations, attempts, devices)
        except sa.exc.IntegrityError:
            return False
        return True

    # --- people's fields ---------------------------------------------------------------------

    def annotate(self, device_id: int, *, by: str = "cli", **changes: Any) -> UserFields:
        """Set user fields (site, location, owner, purpose, notes, status, due, acquired) of one device.

        Each field that really changes is written to the change log with `by`, before and after.
        """
        values = _checked_user_fields(changes)
        with self.engine.begin() as conn:
            _annotate(conn, device_id, values, by)
            row = conn.execute(sa.select(t.DEVICES).where(t.DEVICES.c.id == device_id)).one()
        return user_from(row)

    def set_fields(self, device_id: int, *, by: str = "cli", **changes: Any) -> bool:
        """Like `annotate`, writing only values that differ; True when anything changed."""
        values = _checked_user_fields(changes)
        with self.engine.begin() as conn:
            before = conn.execute(sa.select(t.DEVICES).where(t.DEVICES.c.id == device_id)).one_or_none()
            if before is None:
                raise RegisterError(f"no device {device_id} in the register")
            differs = {k: v for k, v in values.items() if getattr(before, k) != v}
            if differs:
                _annotate(conn, device_id, differs, by)
        return bool(differs)

    def record_logins(self, audit_id: str, attempts: Sequence[LoginAttempt]) -> None:
        """Remember the logins a check made (never a password), so later audits respect the lockout."""
        if not attempts:
            return
        rows = [
            {
                "audit_id": audit_id,
                "device_key": a.device_key,
                "ip": a.ip,
                "at": a.at,
                "check_id": a.check_id,
                "outcome": a.outcome[:32],
                "lockout_sign": a.lockout_sign,
            }
            for a in attempts
        ]
        with self.engine.begin() as conn:
            conn.execute(sa.insert(t.LOGIN_ATTEMPTS), rows)

    def login_attempts(self, keys: Iterable[str], since: datetime) -> list[LoginAttempt]:
        """The logins made to these devices since `since`, oldest first (read on the writer's own engine:
        the audit that asks is the one that will write)."""
        chosen = sorted(set(keys))
        if not chosen:
            return []
        c = t.LOGIN_ATTEMPTS.c
        query = sa.select(t.LOGIN_ATTEMPTS).where(c.device_key.in_(chosen), c.at >= since).order_by(c.at)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            LoginAttempt(r.device_key, r.ip, _aware(r.at), r.check_id, r.outcome, bool(r.lockout_sign))
            for r in rows
        ]

    def ensure_device(self, key: str) -> int:
        """The device numbered for `key`, created (with no sighting) when the register does not know it."""
        with self.engine.begin() as conn:
            return _device_id(conn, key, None)


def _checked_user_fields(changes: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name in ("due", "acquired"):
            if value is not None and not isinstance(value, date):
                raise ValueError(f"{name} must be a date")
            values[name] = value
        elif name == "status":
            values[name] = DeviceStatus(value).value
        elif name in ("site", "location", "owner", "purpose", "notes"):
            text = printable(str(value), lines=name == "notes") if value not in (None, "") else None
            values[name] = text[:_TEXT_CAP] if text else None
        else:
            raise ValueError(f"{name} is not a field people maintain")
    return values


def _annotate(conn: sa.Connection, device_id: int, values: Mapping[str, Any], by: str) -> None:
    before = conn.execute(sa.select(t.DEVICES).where(t.DEVICES.c.id == device_id)).one_or_none()
    if before is None:
        raise RegisterError(f"no device {device_id} in the register")
    if values:
        conn.execute(sa.update(t.DEVICES).where(t.DEVICES.c.id == device_id).values(**values))
    _log_changes(conn, device_id, before, values, by)
    status, due = values.get("status", before.status), values.get("due", before.due)
    if (status, due) != (before.status, before.due):
        change = {"device_id": device_id, "changed_at": utcnow(), "status": status, "due": due}
        conn.execute(sa.insert(t.STATUS_CHANGES).values(change))


def _text(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else (None if value is None else str(value))


def _log_changes(
    conn: sa.Connection, device_id: int, before: Any, values: Mapping[str, Any], by: str
) -> None:
    now = utcnow()
    rows = [
        {"device_id": device_id, "at": now, "who": by[:64], "field": name, "before": old, "after": new}
        for name, value in values.items()
        if (old := _text(getattr(before, name))) != (new := _text(value))
    ]
    if rows:
        conn.execute(sa.insert(t.CHANGE_LOG), rows)


def _device_id(conn: sa.Connection, key: str, seen: datetime | None, site: str | None = None) -> int:
    """The device with this key, made when new (a site's device starts with that site as its site)."""
    found = conn.execute(sa.select(t.DEVICES.c.id).where(t.DEVICES.c.key == key)).scalar_one_or_none()
    if found is not None:
        return int(found)
    values = {"key": key, "first_seen": seen, "last_seen": seen, "status": DeviceStatus.IN_SERVICE.value}
    if site:
        values["site"] = site
    inserted = conn.execute(sa.insert(t.DEVICES).values(values)).inserted_primary_key
    assert inserted is not None  # an INSERT of one row always has one
    new_id = int(inserted[0])
    change = {"device_id": new_id, "changed_at": seen or utcnow(), "status": DeviceStatus.IN_SERVICE.value}
    conn.execute(sa.insert(t.STATUS_CHANGES).values(change))
    return new_id


def key_scope(conn: sa.Connection, audit_id: str) -> str:
    """What the register keys of an audit's devices begin with: ``site:NAME/`` for an audit a site
    reported into a central register, else nothing. Sites reuse private addresses (two sites' cameras
    at 192.168.1.10 were one device, the second overwriting the first) and a site must not be able to
    claim another site's device by its MAC; a site's name has no '/' (`accounts.site_problem`)."""
    site = site_of(conn, audit_id)
    return f"site:{site}/" if site else ""


def _keys(devices: Iterable[Device], scope: str = "") -> list[tuple[str, Device]]:
    """Register keys, unique within one audit: a second device claiming a taken key is keyed by address."""
    taken: set[str] = set()
    keyed: list[tuple[str, Device]] = []
    for device in devices:
        key = scope + (device.key if scope + device.key not in taken else f"ip:{device.ip}")
        if key in taken:
            continue  # the same address twice in one list: keep the first
        taken.add(key)
        keyed.append((key, device))
    return keyed


def _write_devices(conn: sa.Connection, audit_id: str, devices: Sequence[Device], seen: datetime) -> None:
    scope = key_scope(conn, audit_id) if devices else ""
    site = scope.removeprefix("site:").removesuffix("/") or None
    for key, device in _keys(devices, scope):
        device_id = _device_id(conn, key, seen, site)
        _touch(conn, device_id, seen)
        sighting = {"audit_id": audit_id, "device_id": device_id, "seen_at": seen, **device_row(device)}
        conn.execute(
            sa.delete(t.SIGHTINGS).where(
                t.SIGHTINGS.c.audit_id == audit_id, t.SIGHTINGS.c.device_id == device_id
            )
        )
        conn.execute(sa.insert(t.SIGHTINGS).values(sighting))
        if device.findings:
            conn.execute(sa.insert(t.FINDINGS), [_finding(audit_id, device_id, f) for f in device.findings])


def _write_many(conn: sa.Connection, audit_id: str, devices: Sequence[Device], seen: datetime) -> None:
    """`_write_devices` for a batch, in a handful of statements instead of six per device."""
    keyed = _keys(devices, key_scope(conn, audit_id) if devices else "")
    if not keyed:
        return
    ids = _ids(conn, [k for k, _ in keyed])
    fresh = [k for k, _ in keyed if k not in ids]
    if fresh:
        new = {"first_seen": seen, "last_seen": seen, "status": DeviceStatus.IN_SERVICE.value}
        conn.execute(sa.insert(t.DEVICES), [{"key": k, **new} for k in fresh])
        ids |= _ids(conn, fresh)
        status = DeviceStatus.IN_SERVICE.value
        changes = [{"device_id": ids[k], "changed_at": seen, "status": status} for k in fresh]
        conn.execute(sa.insert(t.STATUS_CHANGES), changes)
    old = [ids[k] for k, _ in keyed if k not in fresh]
    for device_id in old:
        _touch(conn, device_id, seen)
    every = [ids[k] for k, _ in keyed]
    c = t.SIGHTINGS.c
    conn.execute(sa.delete(t.SIGHTINGS).where(c.audit_id == audit_id, c.device_id.in_(every)))
    rows = [{"audit_id": audit_id, "device_id": ids[k], "seen_at": seen, **device_row(d)} for k, d in keyed]
    conn.execute(sa.insert(t.SIGHTINGS), rows)
    found = [_finding(audit_id, ids[k], f) for k, d in keyed for f in d.findings]
    if found:
        conn.execute(sa.insert(t.FINDINGS), found)


def _ids(conn: sa.Connection, keys: Sequence[str]) -> dict[str, int]:
    """Register key -> device number for the keys the register knows."""
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):  # SQLite's bound-parameter limit
        chunk = list(keys[start : start + 500])
        query = sa.select(t.DEVICES.c.key, t.DEVICES.c.id).where(t.DEVICES.c.key.in_(chunk))
        found.update({row.key: int(row.id) for row in conn.execute(query)})
    return found


def _finding(audit_id: str, device_id: int, finding: Finding) -> dict[str, Any]:
    return {"audit_id": audit_id, "device_id": device_id, **finding_row(finding)}


def _sighted(conn: sa.Connection, audit_id: str, keys: Iterable[str]) -> dict[str, int]:
    """Register key -> device number, for the devices among `keys` that `audit_id` saw."""
    query = (
        sa.select(t.DEVICES.c.key, t.DEVICES.c.id)
        .join(t.SIGHTINGS, t.SIGHTINGS.c.device_id == t.DEVICES.c.id)
        .where(t.SIGHTINGS.c.audit_id == audit_id, t.DEVICES.c.key.in_(list(keys)))
    )
    return {row.key: int(row.id) for row in conn.execute(query)}


def _touch(conn: sa.Connection, device_id: int, seen: datetime) -> None:
    d = t.DEVICES.c
    first = sa.case((d.first_seen.is_(None), seen), (d.first_seen > seen, seen), else_=d.first_seen)
    last = sa.case((d.last_seen.is_(None), seen), (d.last_seen < seen, seen), else_=d.last_seen)
    conn.execute(sa.update(t.DEVICES).where(d.id == device_id).values(first_seen=first, last_seen=last))


def _aware(when: datetime) -> datetime:
    """SQLite gives naive datetimes back: they were written in UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
