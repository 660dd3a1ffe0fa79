"""The dashboard's own rows: users, API tokens, saved filters, and which site reported each audit.

Only hashes are stored (the web layer hashes: argon2 for passwords, SHA-256 for random tokens); nothing
here ever sees a password or a token. `Accounts(engine)` works on the writer's engine (writes) or a
reader's (reads): the dashboard reads through a read-only engine so a page never takes the write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from camaudit.model import printable, utcnow
from camaudit.store import schema as t
from camaudit.store.engine import RegisterError
from camaudit.store.estate import site_of
from camaudit.store.records import utc

ROLES = ("viewer", "auditor", "operator", "admin")
SCOPES = ("read", "write")
MAX_SITE = 64


def site_problem(site: str) -> str | None:
    """Why `site` cannot name a site, or None. A site's name is one segment of the API's URL
    (``/api/sites/SITE/…``) and the name of its scanner's spool folder: no '/' or '\\', not '.' or '..'
    (``--site ..`` spooled into the data folder itself), no control character, at most `MAX_SITE` long."""
    if not site or len(site) > MAX_SITE:
        return f"a site's name is 1 to {MAX_SITE} characters"
    if site in (".", "..") or "/" in site or "\\" in site or printable(site) != site or site != site.strip():
        return f"{printable(site)!r} cannot name a site (no '/', '\\', control characters, '.' or '..')"
    return None


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str
    password_hash: str
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class Token:
    """An API token's record: `scope` read (every page's JSON) or write (one `site`'s audits)."""

    id: int
    name: str
    scope: str
    site: str | None
    created_at: datetime
    created_by: str | None
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class SavedFilter:
    id: int
    slug: str
    user_id: int
    name: str
    query: str
    created_at: datetime


def _user(row: sa.Row[tuple[object, ...]]) -> User:
    m = row._mapping
    return User(int(m["id"]), str(m["name"]), str(m["role"]), str(m["password_hash"]), bool(m["disabled"]))


def _token(row: sa.Row[tuple[object, ...]]) -> Token:
    m = row._mapping
    created = utc(m["created_at"]) or m["created_at"]
    return Token(int(m["id"]), m["name"], m["scope"], m["site"], created, m["created_by"], bool(m["revoked"]))


def _filter(row: sa.Row[tuple[object, ...]]) -> SavedFilter:
    m = row._mapping
    created = utc(m["created_at"]) or m["created_at"]
    return SavedFilter(int(m["id"]), m["slug"], int(m["user_id"]), m["name"], m["query"], created)


class Accounts:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # --- users -------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password_hash: str) -> User:
        if role not in ROLES:
            raise RegisterError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
        values = {"name": name, "role": role, "password_hash": password_hash, "created_at": utcnow()}
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.insert(t.USERS).values(values))
        except sa.exc.IntegrityError:
            raise RegisterError(f"a user named {name!r} already exists") from None
        found = self.user(name)
        assert found is not None  # just written
        return found

    def set_password(self, name: str, password_hash: str) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(
                sa.update(t.USERS).where(t.USERS.c.name == name).values(password_hash=password_hash)
            )
        if done.rowcount != 1:
            raise RegisterError(f"no user named {name!r}")

    def user(self, name: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.USERS).where(t.USERS.c.name == name)).one_or_none()
        return _user(row) if row is not None else None

    def user_by_id(self, user_id: int) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.USERS).where(t.USERS.c.id == user_id)).one_or_none()
        return _user(row) if row is not None else None

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(sa.select(t.USERS).order_by(t.USERS.c.name))]

    # --- API tokens --------------------------------------------------------------------------

    def add_token(self, name: str, scope: str, site: str | None, token_hash: str, by: str | None) -> Token:
        if scope not in SCOPES:
            raise RegisterError(f"unknown scope {scope!r} (read or write)")
        if (scope == "write") != bool(site):
            raise RegisterError("a write token names exactly one site; a read token none")
        if site is not None and (problem := site_problem(site)) is not None:
            raise RegisterError(problem)
        values = {
            "name": name,
            "scope": scope,
            "site": site,
            "token_hash": token_hash,
            "created_at": utcnow(),
            "created_by": by,
        }
        with self.engine.begin() as conn:
            new_id = conn.execute(sa.insert(t.TOKENS).values(values)).inserted_primary_key
        assert new_id is not None
        return Token(int(new_id[0]), name, scope, site, values["created_at"], by)  # type: ignore[arg-type]

    def token(self, token_hash: str) -> Token | None:
        """The live (not revoked) token with this hash."""
        c = t.TOKENS.c
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(t.TOKENS).where(c.token_hash == token_hash, c.revoked == sa.false())
            ).one_or_none()
        return _token(row) if row is not None else None

    def tokens(self) -> list[Token]:
        with self.engine.connect() as conn:
            return [_token(r) for r in conn.execute(sa.select(t.TOKENS).order_by(t.TOKENS.c.id))]

    def revoke_token(self, token_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.update(t.TOKENS).where(t.TOKENS.c.id == token_id).values(revoked=True))

    # --- saved filters -----------------------------------------------------------------------

    def save_filter(self, slug: str, user_id: int, name: str, query: str) -> SavedFilter:
        values = {"slug": slug, "user_id": user_id, "name": name, "query": query, "created_at": utcnow()}
        with self.engine.begin() as conn:
            conn.execute(sa.insert(t.SAVED_FILTERS).values(values))
        found = self.saved_filter(slug)
        assert found is not None
        return found

    def saved_filter(self, slug: str) -> SavedFilter | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.SAVED_FILTERS).where(t.SAVED_FILTERS.c.slug == slug)).one_or_none()
        return _filter(row) if row is not None else None

    def saved_filters(self, user_id: int) -> list[SavedFilter]:
        c = t.SAVED_FILTERS.c
        query = sa.select(t.SAVED_FILTERS).where(c.user_id == user_id).order_by(c.created_at, c.id)
        with self.engine.connect() as conn:
            return [_filter(r) for r in conn.execute(query)]

    def delete_filter(self, slug: str, user_id: int) -> bool:
        """Delete the user's own saved filter; False when they have none by that slug."""
        c = t.SAVED_FILTERS.c
        with self.engine.begin() as conn:
            done = conn.execute(sa.delete(t.SAVED_FILTERS).where(c.slug == slug, c.user_id == user_id))
        return bool(done.rowcount == 1)

    # --- sites (multi-site) ------------------------------------------------------------------

    def audit_site(self, audit_id: str) -> str | None:
        with self.engine.connect() as conn:
            return site_of(conn, audit_id)
