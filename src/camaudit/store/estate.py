"""The estate of a central register: every site's latest finished audit, as one audit of kind ``estate``.

Sites report their audits one by one, each of one site only, so "the latest audit" of a central register
showed the site that reported last and none of the others. After each site audit finishes, the register
records a snapshot: a new audit of kind ``estate`` holding copies of each site's latest finished audit's
sightings, findings, hosts and authenticated reads (the rows, not new identification). Every
view of "the latest audit" (report, dashboard, policy, plan, diff) then reads the whole estate, and two
snapshots compare as the estate changed between them. The snapshot's options name the audit taken from
each site.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from camaudit.store import schema as t
from camaudit.store.records import ESTATE
from camaudit.version import __version__


def site_of(conn: sa.Connection, audit_id: str) -> str | None:
    """The site that reported `audit_id` into this central register; None for an audit of its own."""
    query = sa.select(t.AUDIT_SITES.c.site).where(t.AUDIT_SITES.c.audit_id == audit_id)
    return conn.execute(query).scalar_one_or_none()


def latest_site_audits(conn: sa.Connection) -> dict[str, str]:
    """Each site's latest finished audit: site -> audit id."""
    a, s = t.AUDITS.c, t.AUDIT_SITES.c
    query = (
        sa.select(s.site, a.id)
        .join_from(t.AUDIT_SITES, t.AUDITS, a.id == s.audit_id)
        .where(a.finished.is_not(None))
        .order_by(a.started, a.id)
    )
    return {row.site: row.id for row in conn.execute(query)}  # the later audit of a site wins


def record_snapshot(conn: sa.Connection, at: datetime) -> str | None:
    """Record the estate as it stands, in the caller's transaction; its id, or None without site audits."""
    taken = latest_site_audits(conn)
    if not taken:
        return None
    estate = uuid.uuid4().hex
    a = t.AUDITS.c
    rows = conn.execute(sa.select(a.id, a.started, a.scope).where(a.id.in_(taken.values()))).all()
    scope = {ip for row in rows for ip in row.scope or ()}
    options = {"kind": ESTATE, "sites": dict(sorted(taken.items()))}
    conn.execute(
        sa.insert(t.AUDITS).values(
            id=estate, started=at, finished=at, scope=sorted(scope), options=options, version=__version__
        )
    )
    # Newest audit first: a device two sites shared before site keys (schema 7) is taken once.
    newest_first = [row.id for row in sorted(rows, key=lambda row: row.started, reverse=True)]
    devices: set[int] = set()
    hosts: set[str] = set()
    for audit_id in newest_first:
        devices |= _copy_devices(conn, audit_id, estate, devices)
        hosts |= _copy_hosts(conn, audit_id, estate, hosts)
        # Of the raw observations only the authenticated reads, which policy reads from the latest audit;
        # the rest stay with each site's own audit (an estate per report must not copy every reply again).
        _copy(conn, t.OBSERVATIONS, audit_id, estate, t.OBSERVATIONS.c.kind == "auth.read")
    return estate


def _copy_devices(conn: sa.Connection, audit_id: str, estate: str, skip: set[int]) -> set[int]:
    """The audit's sightings and findings of devices not taken yet; the ids taken."""
    c = t.SIGHTINGS.c
    ids = set(conn.execute(sa.select(c.device_id).where(c.audit_id == audit_id)).scalars()) - skip
    if ids:
        _copy(conn, t.SIGHTINGS, audit_id, estate, c.device_id.in_(ids))
        _copy(conn, t.FINDINGS, audit_id, estate, t.FINDINGS.c.device_id.in_(ids))
    return ids


def _copy_hosts(conn: sa.Connection, audit_id: str, estate: str, skip: set[str]) -> set[str]:
    c = t.HOSTS.c
    ips = set(conn.execute(sa.select(c.ip).where(c.audit_id == audit_id)).scalars()) - skip
    if ips:
        _copy(conn, t.HOSTS, audit_id, estate, c.ip.in_(ips))
    return ips


def _copy(conn: sa.Connection, table: sa.Table, audit_id: str, estate: str, *where: Any) -> None:
    """INSERT … SELECT of `table`'s rows of `audit_id` under `estate` (one statement, any database)."""
    columns: Sequence[sa.Column[Any]] = [c for c in table.c if c.name not in ("id", "audit_id")]
    source = sa.select(sa.literal(estate), *columns).where(table.c.audit_id == audit_id, *where)
    conn.execute(sa.insert(table).from_select(["audit_id", *(c.name for c in columns)], source))
