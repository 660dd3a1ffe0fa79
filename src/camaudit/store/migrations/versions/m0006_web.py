"""Register schema 6: the dashboard's tables (issue 15).

Users (argon2 hashes), API tokens (SHA-256 of a random token, never the token), the change log of people's
fields (who, when, before, after), saved filters per user, and which site reported each audit into a
central register. Older registers have none of these: nothing to carry over.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("site", sa.Text, nullable=True),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("device_id", sa.Integer, sa.ForeignKey("devices.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", _tz(), nullable=False),
        sa.Column("who", sa.String(64), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("before", sa.Text, nullable=True),
        sa.Column("after", sa.Text, nullable=True),
    )
    op.create_index("ix_change_log_device", "change_log", ["device_id", "at"])
    op.create_table(
        "saved_filters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("slug", sa.String(32), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
    )
    op.create_table(
        "audit_sites",
        sa.Column(
            "audit_id", sa.String(64), sa.ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("site", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_sites")
    op.drop_table("saved_filters")
    op.drop_index("ix_change_log_device", "change_log")
    op.drop_table("change_log")
    op.drop_table("api_tokens")
    op.drop_table("users")
