"""Profile `credentials` / `authenticated` sections: validated like every other profile key."""

from __future__ import annotations

from pathlib import Path

import pytest

from camaudit.errors import DataFileError
from camaudit.lab.profile import load_profile, load_profiles

BASE = """schema: camaudit.lab.profile/1
id: auth-test
description: test
sources: ["a public source for the test"]
mac: "c0:6d:ed:00:00:01"
expected: {manufacturer: null, brand: null, model: null, firmware: null, device_type: null, is_camera: null}
services:
  80/tcp: {protocol: http, routes: {/: {status: 200}}}
"""


def _write(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "auth-test.yaml"
    path.write_text(BASE + extra, encoding="utf-8")
    return path


def test_sections_load() -> None:
    (nvr,) = load_profiles(["hikvision-nvr-lockout"])
    assert nvr.credentials is not None and nvr.credentials.lockout is not None
    assert nvr.credentials.lockout.after == 3 and nvr.authenticated is not None
    assert "/ISAPI/System/deviceInfo" in nvr.authenticated


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("credentials: {realm: r, style: hikvision, accounts: [{username: a, password: b, role: c}]}\n",
         "go together"),
        ("credentials: {realm: r, style: axis, accounts: [{username: a, password: b, role: c}]}\n"
         "authenticated: {/a: {status: 200}}\n", "style"),
        ("credentials: {realm: r, style: dahua, accounts: []}\n"
         "authenticated: {/a: {status: 200}}\n", "accounts"),
        ("credentials: {realm: r, style: dahua, accounts: [{username: a, password: b, role: c}],"
         " lockout: {after: 0}}\nauthenticated: {/a: {status: 200}}\n", "after"),
        ("credentials: {realm: r, style: dahua, accounts: [{username: a, password: b, role: c}]}\n"
         "authenticated: {a: {status: 200}}\n", "start with '/'"),
    ],
)  # fmt: skip
def test_bad_sections_name_file_and_key(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(DataFileError, match=message) as caught:
        load_profile(_write(tmp_path, extra))
    assert "auth-test.yaml" in str(caught.value)
