"""The register's tables (SQLAlchemy Core), as the newest migration leaves them.

Queries use these objects; the migrations in `store/migrations/versions/` are frozen snapshots that must
produce exactly this (tests/store/test_migrations.py compares them with Alembic's autogenerate diff).

There is no column for a credential, a password or a secret on purpose (DESIGN.md "Safety": credentials
are never written to reports, logs or the database).
"""

from __future__ import annotations

import sqlalchemy as sa

METADATA = sa.MetaData()


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _audit_fk() -> sa.ForeignKey:
    return sa.ForeignKey("audits.id", ondelete="CASCADE")


def _device_fk() -> sa.ForeignKey:
    return sa.ForeignKey("devices.id", ondelete="CASCADE")


AUDITS = sa.Table(
    "audits",
    METADATA,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("started", _tz(), nullable=False),
    sa.Column("finished", _tz(), nullable=True),
    sa.Column("scope", sa.JSON, nullable=False),
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("version", sa.String(64), nullable=False),
)

# One row per probed address of an audit, written in the host's own transaction: `--resume` skips these.
HOSTS = sa.Table(
    "hosts",
    METADATA,
    sa.Column("audit_id", sa.String(64), _audit_fk(), primary_key=True),
    sa.Column("ip", sa.String(64), primary_key=True),
    sa.Column("done_at", _tz(), nullable=False),
)

# A device across audits: the scanner sets first/last seen; the user fields are never overwritten by a scan.
DEVICES = sa.Table(
    "devices",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("first_seen", _tz(), nullable=True),
    sa.Column("last_seen", _tz(), nullable=True),
    sa.Column("site", sa.Text, nullable=True),
    sa.Column("location", sa.Text, nullable=True),
    sa.Column("owner", sa.Text, nullable=True),
    sa.Column("purpose", sa.Text, nullable=True),
    sa.Column("notes", sa.Text, nullable=True),
    sa.Column("status", sa.String(32), nullable=False, server_default="in_service"),
    sa.Column("due", sa.Date, nullable=True),
    sa.Column("acquired", sa.Date, nullable=True),
)

# What one audit saw of one device; history is the sequence of sightings. Schema 3: `device` is the model's
# own codec of the whole device (findings aside); the other scanner columns are copies for queries.
SIGHTINGS = sa.Table(
    "sightings",
    METADATA,
    sa.Column("audit_id", sa.String(64), _audit_fk(), primary_key=True),
    sa.Column("device_id", sa.Integer, _device_fk(), primary_key=True),
    sa.Column("seen_at", _tz(), nullable=False),
    sa.Column("ip", sa.String(64), nullable=False),
    sa.Column("mac", sa.String(32), nullable=True),
    sa.Column("brand", sa.Text, nullable=True),
    sa.Column("manufacturer", sa.Text, nullable=True),
    sa.Column("model", sa.Text, nullable=True),
    sa.Column("firmware", sa.Text, nullable=True),
    sa.Column("serial", sa.Text, nullable=True),
    sa.Column("device_type", sa.Text, nullable=True),
    sa.Column("device", sa.JSON, nullable=False),
)
sa.Index("ix_sightings_device", SIGHTINGS.c.device_id)

OBSERVATIONS = sa.Table(
    "observations",
    METADATA,
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
sa.Index("ix_observations_audit_ip", OBSERVATIONS.c.audit_id, OBSERVATIONS.c.ip)

ATTEMPTS = sa.Table(
    "attempts",
    METADATA,
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
sa.Index("ix_attempts_audit", ATTEMPTS.c.audit_id)

# Any check's finding, stored generically so new check families (assess/, egress, policy) need no migration.
# Schema 3: `finding` is the model's codec of the whole finding; the other columns are copies for queries.
FINDINGS = sa.Table(
    "findings",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("audit_id", sa.String(64), _audit_fk(), nullable=False),
    sa.Column("device_id", sa.Integer, _device_fk(), nullable=False),
    sa.Column("check_id", sa.String(128), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("status", sa.String(64), nullable=False),
    sa.Column("verified", sa.Boolean, nullable=False),
    sa.Column("finding", sa.JSON, nullable=False),
)
sa.Index("ix_findings_audit", FINDINGS.c.audit_id)
sa.Index("ix_findings_device", FINDINGS.c.device_id)

# Schema 2: every change of a device's status (policy verdicts read when a device was marked).
STATUS_CHANGES = sa.Table(
    "status_changes",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("device_id", sa.Integer, _device_fk(), nullable=False),
    sa.Column("changed_at", _tz(), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("due", sa.Date, nullable=True),
)
sa.Index("ix_status_changes_device", STATUS_CHANGES.c.device_id)

# Schema 4: every login the default-credential check made (never a password), so a device's lockout
# counter is respected across audits (issue 13). Keyed by the device's register key: the check runs
# before the audit's devices are numbered.
LOGIN_ATTEMPTS = sa.Table(
    "login_attempts",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("audit_id", sa.String(64), _audit_fk(), nullable=False),
    sa.Column("device_key", sa.Text, nullable=False),
    sa.Column("ip", sa.String(64), nullable=False),
    sa.Column("at", _tz(), nullable=False),
    sa.Column("check_id", sa.String(128), nullable=False),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Column("lockout_sign", sa.Boolean, nullable=False),
)
sa.Index("ix_login_attempts_device", LOGIN_ATTEMPTS.c.device_key, LOGIN_ATTEMPTS.c.at)

# Schema 6 (issue 15): the dashboard's own tables. Passwords and API tokens are stored only as hashes
# (argon2 for passwords; SHA-256 for tokens, which are 256-bit random strings, so a fast hash is enough).
USERS = sa.Table(
    "users",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", _tz(), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
)

TOKENS = sa.Table(
    "api_tokens",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scope", sa.String(8), nullable=False),
    sa.Column("site", sa.Text, nullable=True),
    sa.Column("created_at", _tz(), nullable=False),
    sa.Column("created_by", sa.String(64), nullable=True),
    sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
)

# Every change of a person's field on a device (web form, CLI annotate, spreadsheet import): who, when,
# the field, before and after. The fields themselves stay on `devices` (the annotations).
CHANGE_LOG = sa.Table(
    "change_log",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("device_id", sa.Integer, _device_fk(), nullable=False),
    sa.Column("at", _tz(), nullable=False),
    sa.Column("who", sa.String(64), nullable=False),
    sa.Column("field", sa.String(32), nullable=False),
    sa.Column("before", sa.Text, nullable=True),
    sa.Column("after", sa.Text, nullable=True),
)
sa.Index("ix_change_log_device", CHANGE_LOG.c.device_id, CHANGE_LOG.c.at)

SAVED_FILTERS = sa.Table(
    "saved_filters",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("slug", sa.String(32), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("created_at", _tz(), nullable=False),
)

# Which site's scanner reported an audit into the central register (multi-site): a site token may write
# only the audits of its own site.
AUDIT_SITES = sa.Table(
    "audit_sites",
    METADATA,
    sa.Column("audit_id", sa.String(64), _audit_fk(), primary_key=True),
    sa.Column("site", sa.Text, nullable=False),
)
