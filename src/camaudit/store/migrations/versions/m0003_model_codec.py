"""Register schema 3: sightings and findings hold the model's own codec, not the presentation shape.

Schemas 1 and 2 stored a device as `camaudit scan --json` shows it: its evidence named ``observation_kind``
instead of ``kind``, lost the address it was seen at and had its confidence rounded. Each old row is
rewritten here into the ``camaudit.model/1`` shape (`model.to_dict`): what the old row kept is kept
exactly; what it never had (an evidence's address, the firmware build date) stays unknown (null). The
columns the codec now holds are dropped; the ones queries use (address, MAC, serial, check id …) stay.

This step is a frozen snapshot: it spells the codec's shape itself and never imports the model.

Revision ID: 0003
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "camaudit.model/1"
_SIGHTING_DROPPED = ("ips", "ports", "firmware_inferred", "confidence", "conflicts", "evidence")
_FINDING_DROPPED = ("title", "remediation", "references", "evidence", "details")


def _evidence(old: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "type": "Evidence",
        "kind": str(old.get("observation_kind", "")),
        "field": str(old.get("field", "")),
        "value": str(old.get("value", "")),
        "rule_id": old.get("rule_id"),
        "source": str(old.get("source", "")),
        "ip": None,  # never stored before schema 3
        "port": old.get("port"),
        "claims": {str(k): str(v) for k, v in (old.get("claims") or {}).items()},
        "confidence": float(old.get("confidence") or 0.0),
        "inferred": bool(old.get("inferred")),
    }


def _device(row: Any) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "type": "Device",
        "ips": list(row.ips),
        "mac": row.mac,
        "ports": list(row.ports),
        "brand": row.brand,
        "manufacturer": row.manufacturer,
        "model": row.model,
        "firmware": row.firmware,
        "serial": row.serial,
        "device_type": row.device_type,
        "confidence": float(row.confidence),
        "evidence": [_evidence(e) for e in row.evidence],
        "conflicts": list(row.conflicts),
        "findings": [],  # in their own table
        "firmware_inferred": bool(row.firmware_inferred),
        "firmware_build": None,
    }


def _finding(row: Any) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "type": "Finding",
        "check_id": row.check_id,
        "kind": row.kind,
        "severity": row.severity,
        "title": row.title,
        "evidence": [_evidence(e) for e in row.evidence],
        "remediation": row.remediation,
        "references": list(row.references),
        "verified": bool(row.verified),
        "status": row.status,
        "details": {str(k): str(v) for k, v in row.details.items()},
    }


def _sightings() -> sa.TableClause:
    columns = ("audit_id", "device_id", "ip", "mac", "brand", "manufacturer", "model", "firmware", "serial")
    json_columns = ("ips", "ports", "conflicts", "evidence", "device")
    return sa.table(
        "sightings",
        *(sa.column(c, sa.String) for c in columns),
        *(sa.column(c, sa.JSON) for c in json_columns),
        sa.column("device_type", sa.String),
        sa.column("firmware_inferred", sa.Boolean),
        sa.column("confidence", sa.Float),
    )


def _findings() -> sa.TableClause:
    return sa.table(
        "findings",
        sa.column("id", sa.Integer),
        *(
            sa.column(c, sa.String)
            for c in ("check_id", "kind", "severity", "status", "title", "remediation")
        ),
        sa.column("verified", sa.Boolean),
        *(sa.column(c, sa.JSON) for c in ("references", "evidence", "details", "finding")),
    )


def _rewrite() -> None:
    bind = op.get_bind()
    sightings, findings = _sightings(), _findings()
    for row in bind.execute(sa.select(sightings)).all():
        where = (sightings.c.audit_id == row.audit_id) & (sightings.c.device_id == row.device_id)
        bind.execute(sa.update(sightings).where(where).values(device=_device(row)))
    for row in bind.execute(sa.select(findings)).all():
        bind.execute(sa.update(findings).where(findings.c.id == row.id).values(finding=_finding(row)))


def upgrade() -> None:
    op.add_column("sightings", sa.Column("device", sa.JSON, nullable=True))
    op.add_column("findings", sa.Column("finding", sa.JSON, nullable=True))
    _rewrite()
    for table, column, dropped in (
        ("sightings", "device", _SIGHTING_DROPPED),
        ("findings", "finding", _FINDING_DROPPED),
    ):
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=sa.JSON, nullable=False)
            for name in dropped:
                batch.drop_column(name)


def downgrade() -> None:
    raise NotImplementedError("schema 3 keeps what schema 2 rounded away: there is no way back")
