"""Register schema 7: a central register keys each site's devices apart (``site:NAME/`` + the key).

No table changes. Sites reuse private addresses, so two sites' cameras at one address were one device,
the second site's sightings overwriting the first's. From now on the writer puts the reporting site in
front of the key (`store.writer.key_scope`). Here, a device whose every sighting one site reported takes
that site's prefix (and that site as its people's field `site` where none was set), so the site's next
audit finds it again, with its history and people's fields. A
device that two sites (or a site and a local audit) already shared keeps its key: its sightings cannot
be told apart afterwards, and the next audits of each site start devices of their own.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ONE_SITE = sa.text(
    "SELECT d.id, d.key, MIN(a.site) AS site FROM devices d"
    " JOIN sightings s ON s.device_id = d.id LEFT JOIN audit_sites a ON a.audit_id = s.audit_id"
    " GROUP BY d.id, d.key"
    " HAVING COUNT(DISTINCT a.site) = 1 AND COUNT(a.site) = COUNT(*)"
)
_REKEY = sa.text("UPDATE devices SET key = :key WHERE id = :id")
_MOVE = sa.text("UPDATE devices SET key = :key, site = COALESCE(site, :site) WHERE id = :id")


def upgrade() -> None:
    conn = op.get_bind()
    rows = [r for r in conn.execute(_ONE_SITE).all() if not r.key.startswith("site:")]
    moves = [{"id": r.id, "key": f"site:{r.site}/{r.key}", "site": r.site} for r in rows]
    if moves:
        conn.execute(_MOVE, moves)


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, key FROM devices WHERE key LIKE 'site:%'")).all()
    taken = set(conn.execute(sa.text("SELECT key FROM devices WHERE key NOT LIKE 'site:%'")).scalars())
    changes = []
    for row in rows:
        plain = row.key.partition("/")[2]
        if plain and plain not in taken:  # two sites' devices at one key: the first keeps it
            taken.add(plain)
            changes.append({"id": row.id, "key": plain})
    if changes:
        conn.execute(_REKEY, changes)
