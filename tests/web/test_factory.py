"""The assembled app: every route it serves is refused without a session or token (but two)."""

from __future__ import annotations

from starlette.routing import Route
from starlette.testclient import TestClient

OPEN = {"/login", "/healthz"}


def _paths(app: object) -> list[tuple[str, str]]:
    """Every route of the app with a concrete path (device 1, token 1, slug x, site s, audit a)."""
    concrete = {
        "{device_id:int}": "1",
        "{token_id:int}": "1",
        "{slug}": "x",
        "{site}": "s",
        "{audit_id}": "a",
    }
    found = []
    for route in app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, Route):
            continue
        path = route.path
        for k, v in concrete.items():
            path = path.replace(k, v)
        for method in sorted(route.methods or {"GET"}):
            if method != "HEAD":
                found.append((method, path))
    return found


def test_every_route_is_refused_without_a_session_or_token(client: TestClient, app: object) -> None:
    routes = [(m, p) for m, p in _paths(app) if p not in OPEN]
    assert len(routes) > 25
    for method, path in routes:
        reply = client.request(method, path, follow_redirects=False)
        if method == "GET" and not path.endswith((".json", ".csv")):
            assert reply.status_code == 303 and reply.headers["location"].startswith("/login?next="), path
        else:
            assert reply.status_code in (401, 403), (method, path, reply.status_code)


def test_every_page_has_a_json_twin(app: object) -> None:
    paths = {p for _m, p in _paths(app)}
    special = ("/api/", "/admin/", "/f/", "/login", "/logout", "/healthz", "/register/import")  # forms
    pages = {p for p in paths if not p.startswith(special)
             and not p.endswith((".json", ".csv", "/annotate")) and p != "/filters"}  # fmt: skip
    assert {
        "/",
        "/devices",
        "/devices/1",
        "/findings",
        "/plan",
        "/audits",
        "/diff",
        "/traffic",
        "/changes",
    } <= pages
    missing = [p for p in pages if (p if p != "/" else "/overview") + ".json" not in paths]
    assert missing == []
