"""Pages and their JSON twins show the report's view of the register, filtered, escaped."""

from __future__ import annotations

import csv
import io

from bs4 import BeautifulSoup
from starlette.testclient import TestClient
from tests.web.conftest import HOSTILE, signed_in

from camaudit.web.app import Web


def test_overview_twin_has_the_reports_counts(app: object) -> None:
    client = signed_in(app, "viewer")
    view = client.get("/overview.json").json()
    assert view["summary"]["devices"] == 3 and view["summary"]["kev_findings"] == 1
    assert [r["brand"] for r in view["rebrands"]] == ["Lorex"]
    page = BeautifulSoup(client.get("/").text, "html.parser")
    assert page.find("svg") is not None and "Devices by true manufacturer" in page.text
    assert not page.find_all("script")


def test_the_hostile_device_string_is_text_everywhere(app: object) -> None:
    client = signed_in(app, "viewer")
    for path in ("/devices", "/devices/3", "/devices?q=script"):
        html = client.get(path).text
        assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    assert client.get("/devices.json?q=script").json()["devices"][0]["model"] == HOSTILE


def test_filters_search_sort_and_paging(app: object) -> None:
    client = signed_in(app, "viewer")
    assert [d["ip"] for d in client.get("/devices.json?maker=dahua").json()["devices"]] == ["127.0.0.2"]
    assert [d["ip"] for d in client.get("/devices.json?brand=unknown").json()["devices"]] == ["127.0.0.3"]
    assert [d["ip"] for d in client.get("/devices.json?finding=cve-2017-7921").json()["devices"]] == [
        "127.0.0.1"
    ]
    assert [d["ip"] for d in client.get("/devices.json?sort=-ip").json()["devices"]] == [
        "127.0.0.3", "127.0.0.2", "127.0.0.1"]  # fmt: skip
    paged = client.get("/devices.json?per=2&page=2").json()
    assert (paged["pages"], [d["ip"] for d in paged["devices"]]) == (2, ["127.0.0.3"])
    assert client.get("/devices.json?sort=nonsense&per=-4&page=x").json()["total"] == 3


def test_csv_export_is_exactly_what_is_filtered(app: object) -> None:
    client = signed_in(app, "viewer")
    reply = client.get("/devices.csv?maker=hikvision")
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert reply.headers["content-disposition"].startswith("attachment")
    assert [r["ip"] for r in rows] == ["127.0.0.1"]
    everything = list(csv.DictReader(io.StringIO(client.get("/devices.csv").text)))
    assert [r["model"] for r in everything if r["ip"] == "127.0.0.3"] == [HOSTILE]


def test_device_detail_twin(app: object) -> None:
    client = signed_in(app, "viewer")
    detail = client.get("/devices/1.json").json()
    assert detail["device"]["ip"] == "127.0.0.1"
    assert [f["check_id"] for f in detail["findings"]] == ["cve-2017-7921"]
    assert [h["audit_id"] for h in detail["device"]["history"]] == ["a" * 32, "b" * 32]
    assert detail["changes"] is None  # a viewer does not see the change log
    assert client.get("/devices/999").status_code == 404


def test_findings_audits_diff_plan_traffic(app: object) -> None:
    client = signed_in(app, "auditor")
    [check] = client.get("/findings.json").json()["checks"]
    assert check["check_id"] == "cve-2017-7921" and check["kev"] and len(check["devices"]) == 1
    assert [a["id"] for a in client.get("/audits.json").json()["audits"]] == ["b" * 32, "a" * 32]
    change = client.get(f"/diff.json?before={'a' * 8}&after={'b' * 8}").json()["diff"]
    assert [d["ip"] for d in change["new"]] == ["127.0.0.3"]
    assert client.get("/diff.json?before=zz&after=b").status_code == 404
    assert client.get("/plan.json").json()["plan"] is None  # this app judges no policy
    assert client.get("/traffic.json").json() == {"audit": None, "findings": []}


def test_the_view_is_cached_until_the_register_changes(app: object) -> None:
    web: Web = app.state.web  # type: ignore[attr-defined]
    first = web.data.view()
    assert web.data.view() is first
    web.writer.annotate(1, by="test", owner="Facilities")
    assert web.data.view() is not first


def test_an_empty_register_says_so(tmp_path: object) -> None:
    from camaudit.web import create_app

    app = create_app(tmp_path / "empty.sqlite", policy=None)  # type: ignore[operator]
    try:
        from camaudit.store.accounts import Accounts
        from camaudit.web import auth

        Accounts(app.state.web.writer.engine).add_user("v", "viewer", auth.hash_password("long enough pw!"))
        client = TestClient(app, base_url="http://127.0.0.1")
        from tests.web.conftest import login

        login(client, "v", "long enough pw!")
        assert "no finished audit" in client.get("/overview.json").json()["message"]
    finally:
        app.state.web.close()
