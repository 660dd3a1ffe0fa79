"""The site API: a site's write token writes only its own site's audits, idempotently; bodies are checked."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient
from tests.store.conftest import audit, hik, observation

from camaudit.model import to_dict
from camaudit.store import Reader, Register
from camaudit.store.accounts import Accounts
from camaudit.web import auth


def _tokens(db: Path) -> tuple[str, str]:
    hq, depot = auth.new_token(), auth.new_token()
    with Register(db) as register:
        accounts = Accounts(register.engine)
        accounts.add_token("hq", "write", "HQ", auth.token_hash(hq), "test")
        accounts.add_token("depot", "write", "Depot", auth.token_hash(depot), "test")
    return hq, depot


def test_a_site_writes_its_own_audit_once_and_no_other_site_can(app: object, db: Path) -> None:
    hq, depot = _tokens(db)
    client = TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    as_hq, as_depot = {"Authorization": f"Bearer {hq}"}, {"Authorization": f"Bearer {depot}"}
    started = audit("c" * 32, days=9, scope=("127.9.0.1",))
    body = {"audit": to_dict(started)}
    assert client.post("/api/sites/HQ/audits", json=body, headers=as_hq).json()["created"] is True
    assert client.post("/api/sites/HQ/audits", json=body, headers=as_hq).json()["created"] is False
    assert client.post("/api/sites/Depot/audits", json=body, headers=as_hq).status_code == 403
    assert client.post("/api/sites/Depot/audits", json=body, headers=as_depot).status_code == 409
    host = {"ip": "127.9.0.1", "observations": [to_dict(observation("127.9.0.1"))], "attempts": [],
            "devices": [to_dict(hik("127.9.0.1"))]}  # fmt: skip
    url = f"/api/sites/HQ/audits/{'c' * 32}/hosts"
    assert client.post(url, json=host, headers=as_hq).json()["created"] is True
    assert client.post(url, json=host, headers=as_hq).json()["created"] is False  # a retry
    assert client.post(url, json=host, headers=as_depot).status_code == 403
    assert (
        client.post(f"/api/sites/Depot/audits/{'c' * 32}/hosts", json=host, headers=as_depot).status_code
        == 403
    )
    finish = {"devices": host["devices"], "finished": "2026-11-12T10:00:00+00:00"}
    assert (
        client.post(f"/api/sites/HQ/audits/{'c' * 32}/finish", json=finish, headers=as_hq).status_code == 200
    )
    with Reader(db) as reader:
        assert reader.recorded_hosts("c" * 32) == {"127.9.0.1"}
        estate = reader.audit()  # the latest is the estate: every site's latest audit (store/estate.py)
        assert estate.kind == "estate" and dict(estate.options["sites"]) == {"HQ": "c" * 32}
        assert reader.audit("c" * 32).complete
        assert len(reader.observations("c" * 32)) == 1


def test_hostile_bodies_are_refused_with_a_reason(app: object, db: Path) -> None:
    hq, _ = _tokens(db)
    client = TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    headers = {"Authorization": f"Bearer {hq}", "content-type": "application/json"}
    assert client.post("/api/sites/HQ/audits", content=b"[1]", headers=headers).status_code == 400
    assert client.post("/api/sites/HQ/audits", content=b"{nope", headers=headers).status_code == 400
    bad = {"audit": {"schema": "camaudit.model/999", "id": "x"}}
    assert client.post("/api/sites/HQ/audits", json=bad, headers=headers).status_code == 400
    huge = b'{"audit": "' + b"x" * (9 * 1024 * 1024) + b'"}'
    assert client.post("/api/sites/HQ/audits", content=huge, headers=headers).status_code == 413
    assert client.post(f"/api/sites/HQ/audits/{'z' * 32}/hosts", json={}, headers=headers).status_code == 404


def test_read_tokens_and_sessions_cannot_write(app: object, db: Path) -> None:
    read = auth.new_token()
    with Register(db) as register:
        Accounts(register.engine).add_token("r", "read", None, auth.token_hash(read), "test")
    client = TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    body = {"audit": to_dict(audit("d" * 32))}
    assert (
        client.post(
            "/api/sites/HQ/audits", json=body, headers={"Authorization": f"Bearer {read}"}
        ).status_code
        == 403
    )
    assert client.post("/api/sites/HQ/audits", json=body).status_code == 401
