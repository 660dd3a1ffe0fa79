"""The sign-in form is the one form anyone may post, without a session: its body was parsed whole, so an
upload of any size was spooled to a temporary file (a client streaming gigabytes filled the server's
disk) before the form was refused. It is now read only up to `MAX_FORM`, as every other form is."""

from __future__ import annotations

from starlette.testclient import TestClient
from tests.web.conftest import PASSWORD, csrf_of

from camaudit.web.app import MAX_FORM


def test_an_oversized_sign_in_post_is_refused_unread(client: TestClient) -> None:
    page = client.get("/login")
    form = {"csrf": csrf_of(page.text), "name": "admin", "password": PASSWORD, "next": "/"}
    reply = client.post("/login", data=form, files={"f": ("big.bin", b"x" * (MAX_FORM * 8))})
    assert reply.status_code == 413
    assert "session" not in reply.cookies


def test_a_sign_in_of_ordinary_size_still_works(client: TestClient) -> None:
    page = client.get("/login")
    form = {"csrf": csrf_of(page.text), "name": "admin", "password": PASSWORD, "next": "/"}
    reply = client.post("/login", data=form, follow_redirects=False)
    assert reply.status_code == 303
