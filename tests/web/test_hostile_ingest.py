"""A site's write token is not trusted with the central register's shape: the model's codec took scalars
as sent, so one site posting a Device whose confidence was the string "high" made every dashboard page and
`camaudit report` fail for every site, and addresses, ports and MACs were stored as written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from tests.store.conftest import audit, hik, observation

from camaudit.model import to_dict
from camaudit.store import Register
from camaudit.store.accounts import Accounts
from camaudit.web import auth

AUDIT = "c" * 32
IP = "127.9.0.1"
ESC = "\x1b[2J\x1b]0;title\x07"


def _setup(app: object, db: Path) -> tuple[TestClient, dict[str, str], dict[str, str]]:
    write, read = auth.new_token(), auth.new_token()
    with Register(db) as register:
        accounts = Accounts(register.engine)
        accounts.add_token("hq", "write", "HQ", auth.token_hash(write), "test")
        accounts.add_token("reader", "read", None, auth.token_hash(read), "test")
    client = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)  # type: ignore[arg-type]
    as_site, as_reader = {"Authorization": f"Bearer {write}"}, {"Authorization": f"Bearer {read}"}
    body = {"audit": to_dict(audit(AUDIT, scope=(IP,)))}
    begun = client.post("/api/sites/HQ/audits", json=body, headers=as_site)
    assert begun.status_code == 200
    return client, as_site, as_reader


def _host(**change: Any) -> dict[str, Any]:
    body = {
        "ip": IP,
        "observations": [to_dict(observation(IP))],
        "attempts": [],
        "devices": [to_dict(hik(IP))],
    }
    return body | change


_OBS, _DEV = to_dict(observation(IP)), to_dict(hik(IP))
HOSTILE = {
    "confidence as a string": _host(devices=[_DEV | {"confidence": "high"}]),
    "host address not an IP": _host(ip="x" + ESC),
    "observation address not an IP": _host(observations=[_OBS | {"ip": "y" + ESC}]),
    "device addresses a string": _host(devices=[_DEV | {"ips": IP}]),
    "port a string": _host(observations=[_OBS | {"port": "80"}]),
    "port past 65535": _host(observations=[_OBS | {"port": 10**30}]),
    "source a list": _host(observations=[_OBS | {"source": ["probe"]}]),
    "ports nested lists": _host(devices=[_DEV | {"ports": [[[80]]]}]),
    "mac not a MAC": _host(devices=[_DEV | {"mac": ESC}]),
    "field name with controls": _host(observations=[_OBS | {"fields": {"http" + ESC: "x"}}]),
    "naive time": _host(observations=[_OBS | {"time": "2026-11-02T09:00:00"}]),
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_an_ill_typed_host_is_refused_and_the_dashboard_still_reads(app: object, db: Path, body: Any) -> None:
    client, as_site, as_reader = _setup(app, db)
    reply = client.post(f"/api/sites/HQ/audits/{AUDIT}/hosts", json=body, headers=as_site)
    assert reply.status_code == 400, reply.text
    assert "error" in reply.json()
    finish = {"devices": body["devices"], "finished": "2026-11-12T10:00:00+00:00"}
    client.post(f"/api/sites/HQ/audits/{AUDIT}/finish", json=finish, headers=as_site)
    for page in ("/", "/devices.json", "/devices.csv", "/findings.json", "/plan.json", "/audits.json"):
        assert client.get(page, headers=as_reader).status_code == 200, page


def test_an_ill_typed_audit_or_finish_is_refused(app: object, db: Path) -> None:
    client, as_site, _ = _setup(app, db)
    for change in ({"id": "../" + ESC}, {"started": "2026-11-02T09:00:00"}, {"scope": "127.9.0.1"}):
        body = {"audit": to_dict(audit("d" * 32)) | change}
        assert client.post("/api/sites/HQ/audits", json=body, headers=as_site).status_code == 400, change
    naive = {"devices": [], "finished": "2026-11-12T10:00:00"}
    assert client.post(f"/api/sites/HQ/audits/{AUDIT}/finish", json=naive, headers=as_site).status_code == 400


def test_a_well_formed_host_is_still_accepted(app: object, db: Path) -> None:
    client, as_site, as_reader = _setup(app, db)
    body = json.loads(json.dumps(_host()))  # as it travels
    assert client.post(f"/api/sites/HQ/audits/{AUDIT}/hosts", json=body, headers=as_site).json()["created"]
    assert client.get("/devices.json", headers=as_reader).status_code == 200
