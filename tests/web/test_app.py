"""Who may do what: nothing without a session or token, CSRF on every form, cookie flags, headers."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from tests.web.conftest import PASSWORD, csrf_of, signed_in

from camaudit.store import Register
from camaudit.store.accounts import Accounts
from camaudit.web import auth
from camaudit.web.app import CSP


def test_a_page_without_a_session_redirects_to_login_and_back(client: TestClient) -> None:
    reply = client.get("/devices?site=HQ", follow_redirects=False)
    assert reply.headers["location"] == "/login?next=%2Fdevices%3Fsite%3DHQ"


def test_the_health_check_and_login_page_need_nothing(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/login").status_code == 200


def test_every_response_carries_a_strict_csp(client: TestClient) -> None:
    for path in ("/login", "/healthz", "/devices", "/nowhere"):
        headers = client.get(path, follow_redirects=False).headers
        assert headers["content-security-policy"] == CSP
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert "script-src 'none'" in CSP and "unsafe-inline" not in CSP


def test_session_cookie_flags_over_http_and_tls(app: object) -> None:
    plain = signed_in(app, "viewer")
    cookie = plain.cookies.jar
    [session] = [c for c in cookie if c.name == auth.SESSION_COOKIE]
    assert session.has_nonstandard_attr("HttpOnly") and not session.secure
    tls = TestClient(app, base_url="https://127.0.0.1")  # type: ignore[arg-type]
    page = tls.get("/login")
    reply = tls.post("/login", data={"csrf": csrf_of(page.text), "name": "viewer", "password": PASSWORD},
                     follow_redirects=False)  # fmt: skip
    header = next(h for h in reply.headers.get_list("set-cookie") if h.startswith(auth.SESSION_COOKIE))
    assert "HttpOnly" in header and "Secure" in header and "SameSite=lax" in header


def test_login_without_its_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    reply = client.post("/login", data={"csrf": "forged", "name": "admin", "password": PASSWORD})
    assert reply.status_code == 403
    assert auth.SESSION_COOKIE not in client.cookies


@pytest.mark.parametrize(
    "path",
    [
        "/devices/1/annotate",
        "/filters",
        "/admin/users/add",
        "/admin/tokens/add",
        "/logout",
        "/register/import",
    ],
)
def test_form_posts_without_csrf_are_refused(app: object, path: str) -> None:
    client = signed_in(app, "admin")
    reply = client.post(path, data={"owner": "x", "name": "y", "query": "q=1"}, follow_redirects=False)
    assert reply.status_code == 403 and "CSRF" in reply.text
    assert client.get("/devices/1.json").json()["device"]["register"]["owner"] is None


def test_logins_are_rate_limited(client: TestClient) -> None:
    codes = []
    for _ in range(7):
        page = client.get("/login")
        reply = client.post(
            "/login", data={"csrf": csrf_of(page.text), "name": "admin", "password": "wrong guess x"}
        )
        codes.append(reply.status_code)
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]
    page = client.get("/login")  # even the right password waits now
    reply = client.post("/login", data={"csrf": csrf_of(page.text), "name": "admin", "password": PASSWORD})
    assert reply.status_code == 429


def test_a_cookie_replayed_after_logout_is_refused(app: object) -> None:
    client = signed_in(app, "viewer")
    stolen = client.cookies.get(auth.SESSION_COOKIE)
    client.post("/logout", data={"csrf": csrf_of(client.get("/devices").text)})
    thief = TestClient(app, base_url="http://127.0.0.1", cookies={auth.SESSION_COOKIE: stolen})  # type: ignore[arg-type]
    assert thief.get("/devices", follow_redirects=False).status_code == 303


def test_a_forged_cookie_is_no_session(client: TestClient) -> None:
    client.cookies.set(auth.SESSION_COOKIE, "eyJ1IjoxLCJjIjoiYSJ9.x.y")
    assert client.get("/devices.json").status_code == 401


def test_roles(app: object) -> None:
    viewer, auditor, operator = (signed_in(app, r) for r in ("viewer", "auditor", "operator"))
    assert viewer.get("/changes.json").status_code == 403
    assert auditor.get("/changes.json").status_code == 200
    assert operator.get("/admin/users").status_code == 403
    assert signed_in(app, "admin").get("/admin/users").status_code == 200
    page = viewer.get("/devices/1")
    assert 'id="annotate"' not in page.text
    reply = viewer.post("/devices/1/annotate", data={"csrf": csrf_of(page.text), "owner": "x"})
    assert reply.status_code == 403


def test_tokens_read_with_read_scope_only(app: object, db: object) -> None:
    read, write = auth.new_token(), auth.new_token()
    with Register(db) as register:  # type: ignore[arg-type]
        accounts = Accounts(register.engine)
        accounts.add_token("ci", "read", None, auth.token_hash(read), "test")
        accounts.add_token("site", "write", "HQ", auth.token_hash(write), "test")
    client = TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    assert client.get("/devices.json", headers={"Authorization": f"Bearer {read}"}).status_code == 200
    assert client.get("/devices.json", headers={"Authorization": f"Bearer {write}"}).status_code == 403
    assert client.get("/devices.json", headers={"Authorization": "Bearer cat_nope"}).status_code == 401
    # A token never stands in for a session on a form, CSRF or not.
    reply = client.post(
        "/devices/1/annotate", data={"owner": "x"}, headers={"Authorization": f"Bearer {read}"}
    )
    assert reply.status_code == 403
