"""Read-only access to the register: audits, devices with their people's fields, findings, history.

This is the small API other parts build on (reports, the dashboard, policy's inputs):
`Reader.devices(audit)`, `Reader.register_devices()`, `Reader.status_history(device)`,
`Reader.history(device)`. Every statement runs under the reader's time limit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from camaudit.model import Audit, Device, Finding, Observation, ProbeAttempt
from camaudit.store import schema as t
from camaudit.store.engine import READ_TIME_LIMIT, RegisterError, reader_engine
from camaudit.store.records import (
    ESTATE,
    SCAN,
    AuditRecord,
    Change,
    DeviceRecord,
    DeviceStatus,
    HistoryEntry,
    StatusChange,
    user_from,
    utc,
)
from camaudit.store.rows import device_of, finding_of, object_of


def _audit(row: Any, hosts: int = 0, devices: int = 0) -> AuditRecord:
    audit = object_of(Audit, row, t.AUDITS)
    return AuditRecord(
        audit.id, audit.started, audit.finished, audit.scope, audit.options, audit.version, hosts, devices
    )


def audit_kind(audit: AuditRecord) -> str:
    """``scan`` (active) or ``traffic`` (passive), from the options the audit recorded."""
    return audit.kind


class Reader:
    """A read-only view of the register (``mode=ro``, ``query_only``, time-limited statements)."""

    def __init__(self, db: str | Path | None = None, time_limit: float = READ_TIME_LIMIT) -> None:
        self.engine = reader_engine(db, time_limit)

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _conn(self) -> Iterator[sa.Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            if isinstance(exc.orig, sqlite3.OperationalError) and "interrupted" in str(exc.orig):
                raise RegisterError("a register query took longer than its time limit") from None
            raise

    # --- audits ------------------------------------------------------------------------------

    def audits(self, kind: str | None = None) -> list[AuditRecord]:
        """Every audit (of `kind`, or of any), oldest first, with how many hosts and devices it recorded."""
        hosts = _count_by_audit(t.HOSTS.c.audit_id, "n")
        devices = _count_by_audit(t.SIGHTINGS.c.audit_id, "d")
        query = (
            sa.select(t.AUDITS, hosts.c.n, devices.c.d)
            .outerjoin(hosts, hosts.c.audit_id == t.AUDITS.c.id)
            .outerjoin(devices, devices.c.audit_id == t.AUDITS.c.id)
        )
        with self._conn() as conn:
            rows = conn.execute(query.order_by(t.AUDITS.c.started, t.AUDITS.c.id)).all()
        found = [_audit(r, r.n or 0, r.d or 0) for r in rows]
        return [a for a in found if kind is None or a.kind == kind]

    def audit(
        self, audit_id: str | None = None, kind: str | None = SCAN, *, partial: bool = False
    ) -> AuditRecord:
        """One audit by id (a unique prefix is enough), or the latest finished audit of `kind` (None:
        any kind). With `partial`, when no audit of the kind is finished, the latest unfinished one
        (its `complete` is False: whoever shows it says it is partial)."""
        if audit_id is not None:
            matches = [a for a in self.audits() if a.id.startswith(audit_id)]
            if len(matches) != 1:
                raise RegisterError(f"{'no' if not matches else 'more than one'} audit matches {audit_id!r}")
            return matches[0]
        every = self.audits()
        if kind == SCAN and any(a.kind == ESTATE and a.complete for a in every):
            kind = ESTATE  # a central register: one site's scan is not the estate (`store.estate`)
        audits = [a for a in every if a.kind == kind] if kind is not None else every
        finished = [a for a in audits if a.complete]
        if finished:
            return finished[-1]
        if partial and audits:
            return audits[-1]
        what = f"{kind} audit" if kind else "audit"
        hint = ""
        if audits:
            hint = f"; audit {audits[-1].id[:12]} is unfinished (--audit shows it, scan --resume finishes it)"
        elif kind is not None:
            others = sorted({a.kind for a in self.audits() if a.complete})
            if others:
                hint = f" (it holds {', '.join(others)} audits: --kind {others[0]} shows one)"
        raise RegisterError(f"the register holds no finished {what} yet{hint}")

    def newer_partial(self, audit: AuditRecord) -> AuditRecord | None:
        """The latest unfinished audit of the same kind started after `audit` (worth a mention)."""
        later = [a for a in self.audits(audit.kind) if not a.complete and a.started > audit.started]
        return later[-1] if later else None

    def previous(self, audit: AuditRecord) -> AuditRecord | None:
        """The finished audit of the same kind just before `audit` (what "changed since" compares with).

        A traffic capture sees only the devices that talked: comparing it with an active scan would call
        every quiet camera "gone", so scans compare with scans and captures with captures.
        """
        earlier = [
            a
            for a in self.audits(audit.kind)
            if a.complete and a.started < audit.started and a.id != audit.id
        ]
        return earlier[-1] if earlier else None

    # --- devices -----------------------------------------------------------------------------

    def devices(self, audit_id: str) -> list[DeviceRecord]:
        """Every device one audit saw, with its findings and the people's fields, by address."""
        query = (
            sa.select(t.SIGHTINGS, t.DEVICES)
            .join(t.DEVICES, t.DEVICES.c.id == t.SIGHTINGS.c.device_id)
            .where(t.SIGHTINGS.c.audit_id == audit_id)
        )
        with self._conn() as conn:
            rows = conn.execute(query).all()
            findings = self._findings(conn, audit_id)
        records = [_record(r, findings.get(r.device_id, ()), audit_id) for r in rows]
        return sorted(records, key=lambda r: _ip_order(r.device.ip))

    def register_devices(self) -> list[DeviceRecord]:
        """Every device the register knows, as last seen (devices only in a spreadsheet have no sighting)."""
        latest = (
            sa.select(t.SIGHTINGS.c.device_id, sa.func.max(t.SIGHTINGS.c.seen_at).label("seen"))
            .group_by(t.SIGHTINGS.c.device_id)
            .subquery()
        )
        query = (
            sa.select(t.DEVICES, t.SIGHTINGS)
            .outerjoin(latest, latest.c.device_id == t.DEVICES.c.id)
            .outerjoin(
                t.SIGHTINGS,
                sa.and_(t.SIGHTINGS.c.device_id == t.DEVICES.c.id, t.SIGHTINGS.c.seen_at == latest.c.seen),
            )
            .order_by(t.DEVICES.c.id)
        )
        with self._conn() as conn:
            rows = conn.execute(query).all()
        seen: dict[int, DeviceRecord] = {}
        for row in rows:
            seen.setdefault(row.id, _record(row, (), row.audit_id))
        return list(seen.values())

    def device_id(self, ref: str) -> int:
        """A device by number, register key (``mac:…``/``serial:…``/``ip:…``), MAC, serial or address."""
        with self._conn() as conn:
            found = _lookup(conn, ref.strip())
        if len(found) != 1:
            raise RegisterError(f"{'no' if not found else 'more than one'} device matches {ref!r}")
        return found.pop()

    def findings(self, audit_id: str) -> list[tuple[DeviceRecord, Finding]]:
        return [(record, f) for record in self.devices(audit_id) for f in record.device.findings]

    def _findings(self, conn: sa.Connection, audit_id: str) -> dict[int, tuple[Finding, ...]]:
        rows = conn.execute(
            sa.select(t.FINDINGS).where(t.FINDINGS.c.audit_id == audit_id).order_by(t.FINDINGS.c.id)
        ).all()
        grouped: dict[int, list[Finding]] = {}
        for row in rows:
            grouped.setdefault(row.device_id, []).append(finding_of(row))
        return {k: tuple(v) for k, v in grouped.items()}

    # --- history -----------------------------------------------------------------------------

    def history(self, device_id: int) -> list[HistoryEntry]:
        """Every sighting of a device, oldest first, naming address and firmware changes. An estate's
        copy of a site's sighting (`store.estate`) is not another sighting."""
        query = (
            sa.select(t.SIGHTINGS).where(t.SIGHTINGS.c.device_id == device_id).order_by(t.SIGHTINGS.c.seen_at)
        )
        with self._conn() as conn:
            rows = conn.execute(query).all()
            options = conn.execute(sa.select(t.AUDITS.c.id, t.AUDITS.c.options)).all()
        estates = {a.id for a in options if (a.options or {}).get("kind") == ESTATE}
        entries: list[HistoryEntry] = []
        for row in rows:
            if row.audit_id in estates:
                continue
            before = entries[-1] if entries else None
            changes = _changes(before, row.ip, row.firmware)
            seen = utc(row.seen_at) or row.seen_at
            entries.append(HistoryEntry(row.audit_id, seen, row.ip, row.firmware, changes))
        return entries

    def status_history(self, device_id: int) -> list[StatusChange]:
        query = (
            sa.select(t.STATUS_CHANGES)
            .where(t.STATUS_CHANGES.c.device_id == device_id)
            .order_by(t.STATUS_CHANGES.c.changed_at, t.STATUS_CHANGES.c.id)
        )
        with self._conn() as conn:
            rows = conn.execute(query).all()
        return [StatusChange(utc(r.changed_at) or r.changed_at, DeviceStatus(r.status), r.due) for r in rows]

    def change_log(self, device_id: int | None = None, limit: int = 10_000) -> list[Change]:
        """Changes of people's fields, newest first (one device's, or every device's)."""
        c = t.CHANGE_LOG.c
        query = sa.select(t.CHANGE_LOG).order_by(c.at.desc(), c.id.desc()).limit(limit)
        if device_id is not None:
            query = query.where(c.device_id == device_id)
        with self._conn() as conn:
            rows = conn.execute(query).all()
        return [Change(r.id, r.device_id, utc(r.at) or r.at, r.who, r.field, r.before, r.after) for r in rows]

    def last_change(self) -> int:
        """The newest change-log id (0 when none): a cheap "has anything people maintain changed"."""
        with self._conn() as conn:
            return int(conn.execute(sa.select(sa.func.max(t.CHANGE_LOG.c.id))).scalar() or 0)

    # --- resume ------------------------------------------------------------------------------

    def recorded_hosts(self, audit_id: str) -> set[str]:
        with self._conn() as conn:
            rows = conn.execute(sa.select(t.HOSTS.c.ip).where(t.HOSTS.c.audit_id == audit_id)).scalars()
            return set(rows)

    def observations(self, audit_id: str) -> list[Observation]:
        query = sa.select(t.OBSERVATIONS).where(t.OBSERVATIONS.c.audit_id == audit_id)
        with self._conn() as conn:
            return [
                object_of(Observation, r, t.OBSERVATIONS)
                for r in conn.execute(query.order_by(t.OBSERVATIONS.c.id))
            ]

    def attempts(self, audit_id: str) -> list[ProbeAttempt]:
        query = sa.select(t.ATTEMPTS).where(t.ATTEMPTS.c.audit_id == audit_id)
        with self._conn() as conn:
            return [
                object_of(ProbeAttempt, r, t.ATTEMPTS) for r in conn.execute(query.order_by(t.ATTEMPTS.c.id))
            ]


def _count_by_audit(column: sa.Column[Any], label: str) -> Any:
    return sa.select(column.label("audit_id"), sa.func.count().label(label)).group_by(column).subquery()


def _record(row: Any, findings: tuple[Finding, ...], audit_id: str | None) -> DeviceRecord:
    device = device_of(row, findings) if row.ip is not None else _unseen(row)
    return DeviceRecord(
        id=row.id,
        key=row.key,
        device=device,
        user=user_from(row),
        first_seen=utc(row.first_seen),
        last_seen=utc(row.last_seen),
        audit_id=audit_id,
    )


def _unseen(row: Any) -> Device:
    """A device known only from a spreadsheet: what its key says, nothing the scanner claimed."""
    key = str(row.key)
    kind, _, value = (key.partition("/")[2] if key.startswith("site:") else key).partition(":")
    return Device(
        ips=(value,) if kind == "ip" else (),
        mac=value if kind == "mac" else None,
        serial=value if kind == "serial" else None,
    )


def _changes(before: HistoryEntry | None, ip: str, firmware: str | None) -> tuple[str, ...]:
    if before is None:
        return ("first seen",)
    changes = []
    if before.ip != ip:
        changes.append(f"address {before.ip} -> {ip}")
    if before.firmware != firmware:
        changes.append(f"firmware {before.firmware or '-'} -> {firmware or '-'}")
    return tuple(changes)


def _lookup(conn: sa.Connection, ref: str) -> set[int]:
    if ref.isdigit():
        found = conn.execute(sa.select(t.DEVICES.c.id).where(t.DEVICES.c.id == int(ref))).scalars()
        return set(found)
    keys = [ref] if ref.partition(":")[0] in ("mac", "serial", "ip", "site") else []
    keys += [f"mac:{ref.lower()}", f"serial:{ref}", f"ip:{ref}"]
    by_key = set(conn.execute(sa.select(t.DEVICES.c.id).where(t.DEVICES.c.key.in_(keys))).scalars())
    s = t.SIGHTINGS.c
    latest = conn.execute(sa.select(s.device_id, s.ip, s.mac, s.serial)).all()
    by_sighting = {r.device_id for r in latest if ref in (r.ip, r.serial) or (r.mac and r.mac == ref.lower())}
    return by_key or by_sighting


def _ip_order(ip: str) -> tuple[int, int, str]:
    from ipaddress import ip_address

    try:
        addr = ip_address(ip)
    except ValueError:
        return (9, 0, ip)
    return (addr.version, int(addr), "")
