"""Who is asking: passwords (argon2 via pwdlib), API tokens, signed session cookies, CSRF, login throttle.

- Passwords are hashed with argon2 (pwdlib; passlib is unmaintained). Tokens are 32 random bytes shown
  once; the register keeps their SHA-256 (a random 256-bit secret needs no slow hash).
- A session is a cookie signed with itsdangerous (HMAC-SHA256 with a per-server secret), carrying the user
  id, a random CSRF secret and when it was issued; it expires after `SESSION_SECONDS`. Nothing secret is in
  it: the signature only stops forgery.
- CSRF: every form carries a token derived from the session's CSRF secret (synchronizer token); the login
  form, before any session, uses a signed double-submit cookie.
- Login attempts are limited per client address and per user name (sliding window).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from camaudit.store.accounts import ROLES

SESSION_COOKIE = "camaudit_session"
LOGIN_COOKIE = "camaudit_login"
SESSION_SECONDS = 8 * 3600
LOGIN_FORM_SECONDS = 3600
MIN_PASSWORD = 12
TOKEN_PREFIX = "cat_"  # noqa: S105 (a prefix, not a secret)  # recognisable in a leaked log, so it can be found and revoked

_HASHER = PasswordHash((Argon2Hasher(),))
# Verified against when the user does not exist, so a wrong name costs the same time as a wrong password.
_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def check_password(password: str, stored: str | None) -> bool:
    if stored is None:
        _HASHER.verify(password, _DUMMY)
        return False
    try:
        return _HASHER.verify(password, stored)
    except Exception:  # an unreadable hash in the register is a refusal, never a crash
        return False


def new_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, 120 bits


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


__all__ = ["ROLES", "Session", "Sessions", "Throttle"]


def role_at_least(role: str, needed: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


@dataclass(frozen=True, slots=True)
class Session:
    user_id: int
    csrf: str


class Sessions:
    """Signs and reads session cookies and derives CSRF tokens, with one secret per server.

    A signed cookie cannot be recalled once issued, so logging out also remembers the session's random
    id until it would have expired: the same cookie replayed after logout is refused.
    """

    def __init__(self, secret: bytes | None = None) -> None:
        self.secret = secret or secrets.token_bytes(32)
        self._session = URLSafeTimedSerializer(self.secret, salt="camaudit.session")
        self._login = URLSafeTimedSerializer(self.secret, salt="camaudit.login-form")
        self._ended: dict[str, float] = {}
        self._lock = threading.Lock()

    def end(self, session: Session) -> None:
        now = time.monotonic()
        with self._lock:
            self._ended = {k: v for k, v in self._ended.items() if v > now}
            self._ended[session.csrf] = now + SESSION_SECONDS

    def issue(self, user_id: int) -> str:
        return self._session.dumps({"u": user_id, "c": secrets.token_urlsafe(16)})

    def read(self, cookie: str | None) -> Session | None:
        if not cookie or len(cookie) > 4096:
            return None
        try:
            data = self._session.loads(cookie, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("u"), int)
            or not isinstance(data.get("c"), str)
        ):
            return None
        with self._lock:
            if data["c"] in self._ended:
                return None
        return Session(data["u"], data["c"])

    def csrf_token(self, session: Session) -> str:
        return hmac.new(self.secret, f"csrf:{session.csrf}".encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: Session, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf_token(session), str(sent))

    def login_form(self) -> tuple[str, str]:
        """(cookie value, form value) for the login form's double-submit token."""
        nonce = secrets.token_urlsafe(16)
        return self._login.dumps(nonce), nonce

    def login_form_ok(self, cookie: str | None, sent: str | None) -> bool:
        if not cookie or not sent:
            return False
        try:
            nonce = self._login.loads(cookie, max_age=LOGIN_FORM_SECONDS)
        except BadSignature:
            return False
        return isinstance(nonce, str) and hmac.compare_digest(nonce, str(sent))


class Throttle:
    """At most `limit` failed logins per key in `window` seconds (keys: client address, user name)."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.limit for k in keys)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
            if len(self._failures) > 100_000:  # bounded memory under a spray of names
                self._failures.clear()

    def succeeded(self, name_key: str) -> None:
        with self._lock:
            self._failures.pop(name_key, None)
