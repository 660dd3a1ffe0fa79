"""Annotations with their change log, saved filters, users and tokens from the admin pages."""

from __future__ import annotations

import csv
import io

from tests.web.conftest import csrf_of, signed_in

from camaudit.web import auth


def test_annotating_records_who_when_before_and_after(app: object) -> None:
    operator = signed_in(app, "operator")
    page = operator.get("/devices/2")
    form = {"csrf": csrf_of(page.text), "site": "Depot", "owner": "Facilities", "status": "to_replace",
            "due": "2027-03-31", "location": "", "notes": ""}  # fmt: skip
    reply = operator.post("/devices/2/annotate", data=form, follow_redirects=False)
    assert reply.status_code == 303
    detail = operator.get("/devices/2.json").json()
    assert detail["device"]["register"]["owner"] == "Facilities"
    changes = {c["field"]: (c["who"], c["before"], c["after"]) for c in detail["changes"]}
    assert changes == {
        "site": ("operator", None, "Depot"),
        "owner": ("operator", None, "Facilities"),
        "status": ("operator", "in_service", "to_replace"),
        "due": ("operator", None, "2027-03-31"),
    }
    form["owner"] = "Security"
    operator.post("/devices/2/annotate", data=form)
    exported = list(csv.DictReader(io.StringIO(signed_in(app, "auditor").get("/changes.csv").text)))
    assert (exported[0]["field"], exported[0]["before"], exported[0]["after"]) == (
        "owner",
        "Facilities",
        "Security",
    )
    assert len(exported) == 5
    assert [d["ip"] for d in operator.get("/devices.json?site=depot").json()["devices"]] == ["127.0.0.2"]


def test_a_bad_date_is_refused_and_nothing_changes(app: object) -> None:
    operator = signed_in(app, "operator")
    csrf = csrf_of(operator.get("/devices/1").text)
    reply = operator.post("/devices/1/annotate", data={"csrf": csrf, "due": "soon", "owner": "x"})
    assert reply.status_code == 400
    assert operator.get("/devices/1.json").json()["device"]["register"]["owner"] is None


def test_saved_filters_are_shared_by_link(app: object) -> None:
    viewer = signed_in(app, "viewer")
    csrf = csrf_of(viewer.get("/devices").text)
    viewer.post("/filters", data={"csrf": csrf, "name": "Dahua", "query": "maker=dahua&sort=ip"})
    page = viewer.get("/devices").text
    slug = page.split('href="/f/')[1].split('"')[0]
    other = signed_in(app, "auditor")
    reply = other.get(f"/f/{slug}", follow_redirects=False)
    assert reply.headers["location"] == "/devices?maker=dahua&sort=ip"
    assert other.get("/f/nothing").status_code == 404


def test_admin_creates_users_and_tokens_shown_once(app: object) -> None:
    admin = signed_in(app, "admin")
    csrf = csrf_of(admin.get("/admin/users").text)
    page = admin.post("/admin/users/add", data={"csrf": csrf, "name": "newbie", "role": "viewer"}).text
    password = page.split("shown once): ")[1].split("<")[0]
    assert len(password) >= auth.MIN_PASSWORD
    page = admin.post(
        "/admin/tokens/add", data={"csrf": csrf, "name": "ci", "scope": "read", "site": ""}
    ).text
    token = page.split("store it now): <code>")[1].split("<")[0]
    assert token.startswith(auth.TOKEN_PREFIX)
    assert admin.get("/devices.json", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in admin.get("/admin/tokens").text  # shown once only
    admin.post("/admin/tokens/1/revoke", data={"csrf": csrf})
    assert admin.get("/devices.json", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_sign_in_redirects_only_within_the_site(app: object) -> None:
    from starlette.testclient import TestClient
    from tests.web.conftest import PASSWORD

    client = TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    page = client.get("/login")
    reply = client.post("/login", data={"csrf": csrf_of(page.text), "name": "viewer", "password": PASSWORD,
                                        "next": "//evil.example/x"}, follow_redirects=False)  # fmt: skip
    assert reply.headers["location"] == "/"
