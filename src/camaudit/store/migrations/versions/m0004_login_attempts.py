"""Register schema 4: login attempts per device, so a lockout counter is respected across audits.

Issue 13: within one scan the default-credential check stopped at the lockout warning, but nothing
remembered it: three scans each sent one failed login and the third locked the NVR. Each attempt the
check makes (never the password) is a row: the device's register key, when, how it ended, and whether the
device showed a sign of lockout. Nothing to carry over from older registers: they never recorded logins.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("audit_id", sa.String(64), sa.ForeignKey("audits.id", ondelete="CASCADE"), nullable=False),
        sa.Column("device_key", sa.Text, nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("check_id", sa.String(128), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("lockout_sign", sa.Boolean, nullable=False),
    )
    op.create_index("ix_login_attempts_device", "login_attempts", ["device_key", "at"])


def downgrade() -> None:
    op.drop_index("ix_login_attempts_device", "login_attempts")
    op.drop_table("login_attempts")
