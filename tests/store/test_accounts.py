"""Users, tokens, saved filters and site audits in the register (hashes only), and the change log."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.store.conftest import audit, hik, record_audit

from camaudit.model import utcnow
from camaudit.store import Reader, Register, RegisterError
from camaudit.store.accounts import Accounts


def test_users_tokens_and_filters(register: Register, db: Path) -> None:
    accounts = Accounts(register.engine)
    user = accounts.add_user("ann", "operator", "$argon2id$fake")
    with pytest.raises(RegisterError, match="already"):
        accounts.add_user("ann", "viewer", "h")
    with pytest.raises(RegisterError, match="role"):
        accounts.add_user("bob", "root", "h")
    accounts.set_password("ann", "$argon2id$other")
    assert accounts.user("ann").password_hash == "$argon2id$other"  # type: ignore[union-attr]
    token = accounts.add_token("site", "write", "HQ", "a" * 64, "ann")
    with pytest.raises(RegisterError, match="site"):
        accounts.add_token("x", "write", None, "b" * 64, "ann")
    assert accounts.token("a" * 64) == accounts.tokens()[0]
    accounts.revoke_token(token.id)
    assert accounts.token("a" * 64) is None
    saved = accounts.save_filter("slug1", user.id, "Dahua", "maker=dahua")
    assert accounts.saved_filters(user.id) == [saved] and accounts.saved_filter("nope") is None
    assert not accounts.delete_filter("slug1", user.id + 1)  # only its owner deletes it
    assert accounts.delete_filter("slug1", user.id) and accounts.saved_filter("slug1") is None
    reads = Accounts(Reader(db).engine)
    assert reads.user_by_id(user.id) == accounts.user("ann")


def test_annotate_writes_the_change_log(register: Register, db: Path) -> None:
    record_audit(register, "a1", [hik()])
    register.annotate(1, by="ann", owner="Facilities", site="HQ")
    register.annotate(1, by="bob", owner="Security", site="HQ")  # the site did not change: not logged
    with Reader(db) as reader:
        log = reader.change_log(1)
        assert reader.last_change() == log[0].id
    assert [(c.who, c.field, c.before, c.after) for c in log] == [
        ("bob", "owner", "Facilities", "Security"),
        ("ann", "site", None, "HQ"),
        ("ann", "owner", None, "Facilities"),
    ]


def test_site_audits_belong_to_their_site_and_hosts_are_written_once(register: Register, db: Path) -> None:
    started = audit("s1")
    assert register.begin_site_audit(started, "HQ") is True
    assert register.begin_site_audit(started, "HQ") is False
    with pytest.raises(RegisterError, match="another site"):
        register.begin_site_audit(started, "Depot")
    register.begin_audit(audit("local"))
    with pytest.raises(RegisterError, match="another site"):
        register.begin_site_audit(audit("local"), "HQ")
    assert register.record_host_once("s1", "127.0.0.1", [], [], [hik()]) is True
    assert register.record_host_once("s1", "127.0.0.1", [], [], [hik()]) is False
    with Reader(db) as reader:
        assert reader.recorded_hosts("s1") == {"127.0.0.1"}
    assert Accounts(register.engine).audit_site("s1") == "HQ"
    assert utcnow()
