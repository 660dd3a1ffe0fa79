"""The optional `credentials` and `authenticated` sections of a lab profile.

`credentials` gives the device its accounts, the Digest realm of its challenges and, optionally, the
lockout policy of its firmware; `authenticated` maps request targets to answers served only to a GET
whose Digest credentials verify (`camaudit.lab.servers.auth`). Lab passwords are test data written in
the profile, never real secrets. Lockout defaults follow the vendors' manuals: Hikvision "Max.
Failure Attempts" 3-10 (default 7), lock 10-3600 s (default 600)
(https://www.manua.ls/hikvision/ds-pea22-f/manual?p=76); failures counted within a minute
(https://www.easymanua.ls/hikvision/ax-hybrid-pro/manual?p=26).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camaudit.lab.spec import HttpRoute, Where, check_keys, http_route, want

STYLES = frozenset({"hikvision", "dahua"})


@dataclass(frozen=True, slots=True)
class Account:
    """One user of the emulated device (the role is what ISAPI/CGI user lists report)."""

    username: str
    password: str
    role: str


@dataclass(frozen=True, slots=True)
class Lockout:
    """Lock a client address after `after` failures within `window` seconds, for `seconds`."""

    after: int
    seconds: int = 600
    window: int = 60


@dataclass(frozen=True, slots=True)
class CredentialsSpec:
    """Accounts, Digest realm, failure style (what a 401 body says) and lockout policy."""

    realm: str
    style: str
    accounts: tuple[Account, ...]
    lockout: Lockout | None = None

    def password_of(self, username: str) -> str | None:
        for account in self.accounts:
            if account.username == username:
                return account.password
        return None


def _account(where: Where, data: Any) -> Account:
    d = check_keys(where, data, {"username", "password", "role"}, {"username", "password", "role"})
    return Account(
        want(where.child("username"), d["username"], str),
        want(where.child("password"), d["password"], str),
        want(where.child("role"), d["role"], str),
    )


def _lockout(where: Where, data: Any) -> Lockout:
    d = check_keys(where, data, {"after", "seconds", "window"}, {"after"})
    values = {k: want(where.child(k), v, int) for k, v in d.items()}
    if not 1 <= values["after"] <= 100 or min(values.values()) < 1:
        raise where.error("after must be 1-100 and every value positive")
    return Lockout(**values)


def credentials_spec(where: Where, data: Any) -> CredentialsSpec:
    d = check_keys(where, data, {"realm", "style", "accounts", "lockout"}, {"realm", "style", "accounts"})
    style = want(where.child("style"), d["style"], str)
    if style not in STYLES:
        raise where.child("style").error(f"style must be one of {', '.join(sorted(STYLES))}")
    accounts = d["accounts"]
    if not isinstance(accounts, list) or not accounts:
        raise where.child("accounts").error("expected a non-empty list of accounts")
    return CredentialsSpec(
        realm=want(where.child("realm"), d["realm"], str),
        style=style,
        accounts=tuple(_account(where.child("accounts").child(str(i)), a) for i, a in enumerate(accounts)),
        lockout=_lockout(where.child("lockout"), d["lockout"]) if "lockout" in d else None,
    )


def authenticated_routes(where: Where, data: Any, base: Path) -> Mapping[str, HttpRoute]:
    if not isinstance(data, Mapping) or not data:
        raise where.error("expected a non-empty mapping of request target -> answer")
    routes = {str(k): http_route(where.child(str(k)), v, base) for k, v in data.items()}
    if any(not k.startswith("/") for k in routes):
        raise where.error("every route must start with '/'")
    return types.MappingProxyType(routes)
