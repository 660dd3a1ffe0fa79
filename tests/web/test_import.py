"""Operators import a register spreadsheet from the browser, and users delete their own saved filters:
a real server on 127.0.0.1 over a real register, driven over HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from tests.web.conftest import HOSTILE, csrf_of, login
from tests.web.serving import free_port, serving

from camaudit.store import Reader
from camaudit.web.forms import MAX_IMPORT

SHEET = f"""ip,serial,site,owner,status,due
127.0.0.1,,HQ,Security,to replace,2027-03-31
127.0.0.2,LRX1,,,,
10.0.0.7,,Depot,Facilities,,
127.0.0.3,,Annex,,{HOSTILE},
,,nowhere,,,
127.0.0.2,,Yard,,,not-a-date
""".encode()


@contextmanager
def live(app: object) -> Iterator[str]:
    with serving(app, free_port()) as url:
        yield url


@contextmanager
def user(url: str, role: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30) as client:
        yield login(client, role)  # type: ignore[arg-type]


def _upload(client: httpx.Client, body: bytes, csrf: str | None = None) -> httpx.Response:
    csrf = csrf if csrf is not None else csrf_of(client.get("/register/import").text)
    return client.post(
        "/register/import", data={"csrf": csrf}, files={"file": ("register.csv", body, "text/csv")}
    )


def test_an_operator_imports_a_spreadsheet_like_the_cli(app: object, db: Path) -> None:
    with live(app) as url, user(url, "operator") as operator:
        page = _upload(operator, SHEET)
        assert page.status_code == 200, page.text[:300]
        result = re.sub(r"\s+", " ", page.text.split('id="import-result">')[1].split("<")[0])
        assert result == "1 added, 1 updated, 1 unchanged, 3 rejected"
        rejected = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td></tr>", page.text.split('id="rejected"')[1])
        assert [int(line) for line, _ in rejected] == [5, 6, 7]
        assert HOSTILE not in page.text and "&lt;script&gt;" in page.text  # the reason quotes the cell
        applied = page.text.split('id="applied"')[1]
        assert [m for m in re.findall(r"<tr><td>(\d+)</td><td>(\w+)</td>", applied)] == [
            ("2", "updated"), ("3", "unchanged"), ("4", "added"),
        ]  # fmt: skip
        with Reader(db) as reader:
            devices = {r.device.ip or r.key: r for r in reader.register_devices()}
            log = reader.change_log()
        hq = devices["127.0.0.1"].user
        assert (hq.site, hq.owner, str(hq.due)) == ("HQ", "Security", "2027-03-31")
        assert devices["127.0.0.2"].user.site is None  # its second row was rejected: nothing of it written
        assert devices["127.0.0.3"].user.site is None
        assert {c.who for c in log} == {"operator"} and len(log) >= 6
        with user(url, "auditor") as auditor:
            exported = auditor.get("/changes.json").json()["changes"]
        assert {(c["who"], c["field"], c["after"]) for c in exported} >= {
            ("operator", "site", "HQ"), ("operator", "site", "Depot"), ("operator", "owner", "Facilities"),
        }  # fmt: skip
        again = _upload(operator, SHEET)
        assert "0 added, 0 updated, 3 unchanged, 3 rejected" in re.sub(r"\s+", " ", again.text)


def test_import_is_for_operators_with_csrf_and_a_bounded_file(app: object, db: Path) -> None:
    with live(app) as url:
        for role in ("viewer", "auditor"):
            with user(url, role) as client:
                assert client.get("/register/import").status_code == 403
                csrf = csrf_of(client.get("/devices").text)
                assert _upload(client, SHEET, csrf).status_code == 403
                assert 'href="/register/import"' not in client.get("/devices").text
        with user(url, "operator") as operator:
            assert 'href="/register/import"' in operator.get("/devices").text
            assert _upload(operator, SHEET, csrf="").status_code == 403
            assert _upload(operator, SHEET, csrf="forged").status_code == 403
            big = b"ip,site\n" + b"127.0.0.1,HQ\n" * (MAX_IMPORT // 13 + 10)
            assert len(big) > MAX_IMPORT
            assert _upload(operator, big).status_code == 413
            huge = operator.post(  # no Content-Length (chunked): refused once the bound is passed
                "/register/import",
                content=(b"x" * 65536 for _ in range(200)),
                headers={"content-type": "multipart/form-data; boundary=b"},
            )
            assert huge.status_code == 413
            assert _upload(operator, b"name,site\nx,y\n").status_code == 400  # no device column
            assert _upload(operator, b"\xff\xfe\x00bad").status_code == 400
            assert (
                operator.post("/register/import", data={"csrf": csrf_of(operator.get("/").text)}).status_code
                == 400
            )
    with Reader(db) as reader:
        assert reader.change_log() == []


def test_users_delete_their_own_saved_filters_only(app: object) -> None:
    with live(app) as url, user(url, "viewer") as viewer, user(url, "auditor") as other:
        csrf = csrf_of(viewer.get("/devices").text)
        viewer.post("/filters", data={"csrf": csrf, "name": "Dahua", "query": "maker=dahua"})
        slug = viewer.get("/devices").text.split('href="/f/')[1].split('"')[0]
        assert f'action="/f/{slug}/delete"' in viewer.get("/devices").text
        theirs = other.post(f"/f/{slug}/delete", data={"csrf": csrf_of(other.get("/devices").text)})
        assert theirs.status_code == 404
        assert viewer.post(f"/f/{slug}/delete", data={}).status_code == 403  # no CSRF token
        assert other.get(f"/f/{slug}", follow_redirects=False).status_code == 303  # still there
        mine = viewer.post(f"/f/{slug}/delete", data={"csrf": csrf}, follow_redirects=False)
        assert mine.status_code == 303 and mine.headers["location"] == "/devices"
        assert other.get(f"/f/{slug}").status_code == 404
        assert f"/f/{slug}" not in viewer.get("/devices").text
