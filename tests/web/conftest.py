"""A small real register (two audits, a `<script>` device, a rebrand, a KEV finding) and the dashboard
over it, driven in-process; users of every role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from tests.store.conftest import finding, hik, record_audit

from camaudit.store import Register
from camaudit.store.accounts import ROLES, Accounts
from camaudit.web import auth, create_app

PASSWORD = "correct horse battery staple"
HOSTILE = "<script>alert(1)</script>"


def estate() -> list[object]:
    cam = hik("127.0.0.1", findings=(finding(),))
    lorex = hik(
        "127.0.0.2",
        brand="lorex",
        manufacturer="dahua",
        model="LNB8005",
        serial="LRX1",
        mac="00:11:22:33:44:55",
    )
    odd = hik("127.0.0.3", model=HOSTILE, serial="ODD1", brand=None, manufacturer=None, device_type=None)
    return [cam, lorex, odd]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "register.sqlite"
    with Register(path) as register:
        devices = estate()
        record_audit(register, "a" * 32, devices[:2])  # type: ignore[arg-type]
        record_audit(register, "b" * 32, devices, days=7)  # type: ignore[arg-type]
        accounts = Accounts(register.engine)
        for role in ROLES:
            accounts.add_user(role, role, auth.hash_password(PASSWORD))
    return path


@pytest.fixture
def app(db: Path) -> Iterator[object]:
    application = create_app(db, policy=None)
    yield application
    application.state.web.close()


@pytest.fixture
def client(app: object) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/login")
    reply = client.post(
        "/login", data={"csrf": csrf_of(page.text), "name": name, "password": password, "next": "/"},
        follow_redirects=False,
    )  # fmt: skip
    assert reply.status_code == 303, reply.text[:300]
    return client


def signed_in(app: object, role: str) -> TestClient:
    return login(TestClient(app, base_url="http://127.0.0.1"), role)  # type: ignore[arg-type]
