"""Register schema 1: audits, hosts, devices with user fields, sightings, observations, attempts, findings.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _audit_fk() -> sa.ForeignKey:
    return sa.ForeignKey("audits.id", ondelete="CASCADE")


def _device_fk() -> sa.ForeignKey:
    return sa.ForeignKey("devices.id", ondelete="CASCADE")


def _audits() -> None:
    op.create_table(
        "audits",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("started", _tz(), nullable=False),
        sa.Column("finished", _tz(), nullable=True),
        sa.Column("scope", sa.JSON, nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
    )
    op.create_table(
        "hosts",
        sa.Column("audit_id", sa.String(64), _audit_fk(), primary_key=True),
        sa.Column("ip", sa.String(64), primary_key=True),
        sa.Column("done_at", _tz(), nullable=False),
    )


def _devices() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("first_seen", _tz(), nullable=True),
        sa.Column("last_seen", _tz(), nullable=True),
        *(
            sa.Column(name, sa.Text, nullable=True)
            for name in ("site", "location", "owner", "purpose", "notes")
        ),
        sa.Column("status", sa.String(32), nullable=False, server_default="in_service"),
        sa.Column("due", sa.Date, nullable=True),
    )


def _sightings() -> None:
    op.create_table(
        "sightings",
        sa.Column("audit_id", sa.String(64), _audit_fk(), primary_key=True),
        sa.Column("device_id", sa.Integer, _device_fk(), primary_key=True),
        sa.Column("seen_at", _tz(), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("ips", sa.JSON, nullable=False),
        sa.Column("mac", sa.String(32), nullable=True),
        sa.Column("ports", sa.JSON, nullable=False),
        *(sa.Column(n, sa.Text, nullable=True) for n in ("brand", "manufacturer", "model", "firmware")),
        sa.Column("firmware_inferred", sa.Boolean, nullable=False),
        sa.Column("serial", sa.Text, nullable=True),
        sa.Column("device_type", sa.Text, nullable=True),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("conflicts", sa.JSON, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
    )
    op.create_index("ix_sightings_device", "sightings", ["device_id"])


def _observations() -> None:
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("audit_id", sa.String(64), _audit_fk(), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("port", sa.Integer, nullable=True),
        sa.Column("transport", sa.String(8), nullable=False),
        sa.Column("protocol", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(128), nullable=False),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("mac", sa.String(32), nullable=True),
        sa.Column("time", _tz(), nullable=False),
    )
    op.create_index("ix_observations_audit_ip", "observations", ["audit_id", "ip"])


def _attempts() -> None:
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("audit_id", sa.String(64), _audit_fk(), nullable=False),
        sa.Column("probe", sa.String(64), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("port", sa.Integer, nullable=True),
        sa.Column("transport", sa.String(8), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("error_reason", sa.Text, nullable=True),
        sa.Column("bytes_read", sa.Integer, nullable=False),
        sa.Column("duration_ms", sa.Float, nullable=False),
        sa.Column("time", _tz(), nullable=False),
    )
    op.create_index("ix_attempts_audit", "attempts", ["audit_id"])


def _findings() -> None:
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("audit_id", sa.String(64), _audit_fk(), nullable=False),
        sa.Column("device_id", sa.Integer, _device_fk(), nullable=False),
        sa.Column("check_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(64), nullable=False),
        sa.Column("verified", sa.Boolean, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("remediation", sa.Text, nullable=False),
        sa.Column("references", sa.JSON, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_findings_audit", "findings", ["audit_id"])
    op.create_index("ix_findings_device", "findings", ["device_id"])


def upgrade() -> None:
    _audits()
    _devices()
    _sightings()
    _observations()
    _attempts()
    _findings()


def downgrade() -> None:
    for table in ("findings", "attempts", "observations", "sightings", "devices", "hosts", "audits"):
        op.drop_table(table)
