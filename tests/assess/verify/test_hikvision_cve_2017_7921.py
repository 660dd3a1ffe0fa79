"""CVE-2017-7921 verification: confirmed only by a refused control plus a served DeviceInfo document."""

from __future__ import annotations

from typing import Any

import pytest
from tests.assess.verify.conftest import reply

from camaudit.assess.verify import Outcome
from camaudit.assess.verify.hikvision_cve_2017_7921 import CONTROL, TOKEN_PATH, VERIFICATION

SECRET_SERIAL = b"DS-2CD2032F-I20150516CCWR512345678"
INFO = (
    b'<?xml version="1.0"?><DeviceInfo version="1.0"><serialNumber>'
    + SECRET_SERIAL
    + b"</serialNumber></DeviceInfo>"
)


@pytest.mark.asyncio
async def test_vulnerable_device_is_confirmed_and_the_page_is_not_kept(web: Any) -> None:
    dev = await web({CONTROL: reply(401), TOKEN_PATH: reply(200, INFO, "application/xml")})
    result = await VERIFICATION.run(*dev.context("hikvision"))
    assert result.outcome is Outcome.CONFIRMED
    assert dev.requests == [f"GET {CONTROL} HTTP/1.1", f"GET {TOKEN_PATH} HTTP/1.1"]
    assert [e.value for e in result.evidence][1].endswith(f"-> 200, {len(INFO)} bytes, marker DeviceInfo")
    assert SECRET_SERIAL.decode() not in repr(result)


@pytest.mark.asyncio
async def test_patched_device_refuses_the_token(web: Any) -> None:
    dev = await web({CONTROL: reply(401), TOKEN_PATH: reply(401)})
    result = await VERIFICATION.run(*dev.context("hikvision"))
    assert result.outcome is Outcome.NOT_CONFIRMED and "401" in result.reason


@pytest.mark.asyncio
async def test_a_yes_to_everything_server_proves_nothing_and_gets_one_request(web: Any) -> None:
    dev = await web({}, default=reply(200, INFO, "application/xml"))
    result = await VERIFICATION.run(*dev.context("hikvision"))
    assert result.outcome is Outcome.UNDETERMINED and len(dev.requests) == 1


@pytest.mark.asyncio
async def test_html_or_nonsense_for_the_token_is_not_a_confirmation(web: Any) -> None:
    dev = await web({CONTROL: reply(401), TOKEN_PATH: reply(200, b"<html>DeviceInfo</html>")})
    result = await VERIFICATION.run(*dev.context("hikvision"))
    assert result.outcome is Outcome.UNDETERMINED


def test_it_runs_only_on_hikvision_made_devices() -> None:
    from camaudit.model import Device

    assert VERIFICATION.applies_to(Device(ips=("x",), manufacturer="hikvision", brand="lts"))
    assert not VERIFICATION.applies_to(Device(ips=("x",), manufacturer=None, brand="hikvision"))
