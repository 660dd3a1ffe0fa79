"""Register schema 2: status history and acquisition date (policy packs need both).

Every existing device gets one history row with its current status, dated when it was first seen (or now
for a device known only from an imported spreadsheet), so "since when" is answerable for old registers too.

Revision ID: 0002
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _seed_history(changes: sa.Table) -> None:
    devices = sa.table(
        "devices",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("due", sa.Date),
        sa.column("first_seen", sa.DateTime(timezone=True)),
    )
    rows = op.get_bind().execute(sa.select(devices)).all()
    now = datetime.now(UTC)
    seeded = [
        {"device_id": r.id, "changed_at": r.first_seen or now, "status": r.status, "due": r.due} for r in rows
    ]
    if seeded:
        op.bulk_insert(changes, seeded)


def upgrade() -> None:
    op.add_column("devices", sa.Column("acquired", sa.Date, nullable=True))
    changes = op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("device_id", sa.Integer, sa.ForeignKey("devices.id", ondelete="CASCADE"), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("due", sa.Date, nullable=True),
    )
    op.create_index("ix_status_changes_device", "status_changes", ["device_id"])
    _seed_history(changes)


def downgrade() -> None:
    op.drop_index("ix_status_changes_device", "status_changes")
    op.drop_table("status_changes")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("acquired")
