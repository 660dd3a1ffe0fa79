"""The lab's Digest authentication and lockout (lab/servers/auth.py), spoken to with raw HTTP.

These prove the emulation really locks out, so the scanner's "never locked out" tests can fail.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.conftest import start_lab
from tests.lab.clients import http_get

from camaudit.lab.runner import Lab
from camaudit.protocols import digest, http
from camaudit.protocols.xmlsafe import child_text, parse_xml

LOCKOUT = "hikvision-nvr-lockout"
DEFAULT = "dahua-ipc-default-password"
OWNER_PASSWORD = "Owner-Set-9vQ2-lab"


@pytest.fixture()
def small_lab() -> Iterator[Lab]:
    runner = start_lab(profiles=[LOCKOUT, DEFAULT])  # a fresh lab: fresh lockout counters
    try:
        yield runner.lab
    finally:
        runner.stop()


def _address(lab: Lab, profile: str) -> str:
    return {e["profile"]: e["address"] for e in lab.manifest()}[profile]


def _login(address: str, path: str, username: str, password: str) -> http.HttpResponse:
    first = http_get(address, 80, path)
    assert first.status == 401
    challenge = digest.parse_challenge(first.headers_all("www-authenticate"))
    assert challenge is not None
    value = digest.authorization(challenge, username=username, password=password, uri=path)
    return http_get(address, 80, path, headers=(("Authorization", value),))


def _counters(resp: http.HttpResponse) -> tuple[str | None, str | None]:
    root = parse_xml(resp.body, max_size=8192)
    return child_text(root, "lockStatus"), child_text(root, "retryLoginTime")


def test_good_credentials_get_the_guarded_answer_and_are_logged_ok(small_lab: Lab) -> None:
    address = _address(small_lab, LOCKOUT)
    resp = _login(address, "/ISAPI/System/deviceInfo", "admin", OWNER_PASSWORD)
    assert resp.status == 200 and b"<model>DS-7608NI-K2/8P</model>" in resp.body
    assert [r.auth for r in small_lab.log.for_device(LOCKOUT) if r.auth] == ["ok"]


def test_three_failures_lock_the_client_even_for_the_right_password(small_lab: Lab) -> None:
    address = _address(small_lab, LOCKOUT)
    seen = [_counters(_login(address, "/ISAPI/Security/userCheck", "admin", "wrong")) for _ in range(3)]
    assert seen == [("unlock", "2"), ("unlock", "1"), ("lock", "0")]
    locked = _login(address, "/ISAPI/Security/userCheck", "admin", OWNER_PASSWORD)
    assert locked.status == 401 and _counters(locked)[0] == "lock"
    outcomes = [r.auth for r in small_lab.log.for_device(LOCKOUT) if r.auth]
    assert outcomes == ["fail", "fail", "fail", "locked"]


def test_a_good_login_resets_the_failure_count(small_lab: Lab) -> None:
    address = _address(small_lab, LOCKOUT)
    _login(address, "/ISAPI/Security/userCheck", "admin", "wrong")
    assert _login(address, "/ISAPI/Security/userCheck", "admin", OWNER_PASSWORD).status == 200
    assert _counters(_login(address, "/ISAPI/Security/userCheck", "admin", "wrong")) == ("unlock", "2")


def test_dahua_style_answers_and_unguarded_paths(small_lab: Lab) -> None:
    address = _address(small_lab, DEFAULT)
    ok = _login(address, "/cgi-bin/magicBox.cgi?action=getSystemInfo", "admin", "admin")
    assert ok.status == 200 and b"deviceType=IPC-HDW4300S" in ok.body
    bad = _login(address, "/cgi-bin/magicBox.cgi?action=getSystemInfo", "admin", "nope")
    assert bad.status == 401 and bad.body.startswith(b"Error")
    assert http_get(address, 80, "/").status == 200  # the ordinary routes are untouched
    assert not [r for r in small_lab.requests if r.state_changing]


def test_credentials_for_another_path_are_malformed_not_a_login(small_lab: Lab) -> None:
    address = _address(small_lab, LOCKOUT)
    challenge = digest.Challenge("hikvision", "abc")
    value = digest.authorization(challenge, username="admin", password=OWNER_PASSWORD, uri="/other")
    resp = http_get(address, 80, "/ISAPI/System/deviceInfo", headers=(("Authorization", value),))
    assert resp.status == 400
    assert [r.auth for r in small_lab.log.for_device(LOCKOUT) if r.auth] == ["malformed"]
