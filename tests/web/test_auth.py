"""Passwords, tokens, sessions, CSRF tokens and the login throttle, on their own."""

from __future__ import annotations

import pytest

from camaudit.web import auth


def test_passwords_are_argon2_and_checked() -> None:
    stored = auth.hash_password("a long passphrase")
    assert stored.startswith("$argon2id$") and "a long passphrase" not in stored
    assert auth.check_password("a long passphrase", stored)
    assert not auth.check_password("a long passphrasE", stored)
    assert not auth.check_password("anything at all", None)
    assert not auth.check_password("anything at all", "not a hash")
    with pytest.raises(ValueError, match="12"):
        auth.hash_password("short")


def test_tokens_are_random_and_stored_as_sha256() -> None:
    a, b = auth.new_token(), auth.new_token()
    assert a != b and a.startswith(auth.TOKEN_PREFIX) and len(a) > 40
    assert len(auth.token_hash(a)) == 64 and auth.token_hash(a) != auth.token_hash(b)


def test_sessions_are_signed_and_bound_to_their_server() -> None:
    sessions, other = auth.Sessions(), auth.Sessions()
    cookie = sessions.issue(7)
    session = sessions.read(cookie)
    assert session is not None and session.user_id == 7
    assert other.read(cookie) is None
    assert sessions.read(cookie[:-2] + "xx") is None and sessions.read("x" * 5000) is None
    token = sessions.csrf_token(session)
    assert sessions.csrf_ok(session, token) and not sessions.csrf_ok(session, "0" * 64)
    assert not sessions.csrf_ok(session, None)
    sessions.end(session)
    assert sessions.read(cookie) is None


def test_login_form_double_submit() -> None:
    sessions = auth.Sessions()
    cookie, nonce = sessions.login_form()
    assert sessions.login_form_ok(cookie, nonce)
    assert not sessions.login_form_ok(cookie, "other") and not sessions.login_form_ok(None, nonce)


def test_throttle_counts_failures_per_key() -> None:
    throttle = auth.Throttle(limit=2, window=60)
    throttle.failed("addr:1", "name:a")
    assert not throttle.blocked("addr:1", "name:a")
    throttle.failed("addr:2", "name:a")
    assert throttle.blocked("addr:9", "name:a") and not throttle.blocked("addr:1", "name:b")
    throttle.succeeded("name:a")
    assert not throttle.blocked("addr:9", "name:a")


def test_roles_are_ordered() -> None:
    assert auth.role_at_least("admin", "viewer") and auth.role_at_least("auditor", "auditor")
    assert not auth.role_at_least("viewer", "operator") and not auth.role_at_least("root", "viewer")
