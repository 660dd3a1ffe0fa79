"""Authenticated read-only GETs: the Digest login primitive and the ISAPI / Dahua CGI read plans,
against the lab's default-password and lockout devices and on hostile bytes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from tests.conftest import start_lab

from camaudit.assess.authenticated import PLANS, Endpoint, digest_get, read_device
from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.lab.runner import Lab
from camaudit.model import Device
from camaudit.net.connector import Connector
from camaudit.net.limits import Limits
from camaudit.protocols import dahua_cgi, isapi
from camaudit.scope import Scope

LOCKOUT, DEFAULT = "hikvision-nvr-lockout", "dahua-ipc-default-password"
OWNER_PASSWORD = "Owner-Set-9vQ2-lab"
FAST = Limits(rate=2000, connect_timeout=1.5, read_timeout=1.5)


@pytest.fixture()
def small_lab() -> Iterator[Lab]:
    runner = start_lab(profiles=[LOCKOUT, DEFAULT])
    try:
        yield runner.lab
    finally:
        runner.stop()


def _device(lab: Lab, profile: str) -> Device:
    entry = {e["profile"]: e for e in lab.manifest()}[profile]
    maker = "hikvision" if profile == LOCKOUT else "dahua"
    return Device(ips=(entry["address"],), ports=(80, 443, 554), manufacturer=maker, brand=maker)


def _conn(device: Device) -> Connector:
    return Connector(FAST, scope=Scope.parse([device.ip]))


def test_owner_credentials_read_every_fact_and_nothing_raw(small_lab: Lab) -> None:
    device = _device(small_lab, LOCKOUT)
    audit = asyncio.run(read_device(device, _conn(device), "admin", OWNER_PASSWORD))
    assert audit is not None and audit.login.outcome == "ok"
    facts = {k: v for obs in audit.observations for k, v in obs.fields.items()}
    assert facts["auth.device.firmware"] == "V4.62.210 build 230320"
    assert facts["auth.cloud.hik_connect"] == "enabled"
    assert facts["auth.cloud.hik_connect.server"] == "litedev.hik-connect.com"
    assert facts["auth.ntp.servers"] == "time.windows.com:123"
    assert facts["auth.users"] == "admin:Administrator,guard:Operator,viewer:Viewer"
    # telnetd answers 403 notSupport, as real firmware does for what a model lacks: that read is skipped
    # and the plan goes on (ssh and everything after it are still read)
    assert "auth.service.telnet" not in facts and facts["auth.service.ssh"] == "enabled"
    assert any("telnetd" in s and "403 notSupport" in s for s in audit.skipped)
    assert facts["auth.channels"] == "2" and facts["auth.channel.2"].startswith("192.168.254.3 ONVIF")
    assert all(obs.raw == b"" and obs.kind == "auth.read" for obs in audit.observations)
    assert any("vehicleDetect" in s and "404" in s for s in audit.skipped)  # unsupported is not an error
    sent = small_lab.log.for_device(LOCKOUT)
    assert {r.method for r in sent} == {"GET"} and not [r for r in sent if r.state_changing]
    assert {r.path for r in sent} <= {path for path, _ in PLANS["hikvision"]}


def test_a_wrong_password_stops_the_plan_after_one_failure(small_lab: Lab) -> None:
    device = _device(small_lab, LOCKOUT)
    audit = asyncio.run(read_device(device, _conn(device), "admin", "not-the-password"))
    assert audit is not None and audit.observations == () and audit.login.outcome == "refused"
    assert audit.login.retries_left == 2
    assert [r.auth for r in small_lab.log.for_device(LOCKOUT) if r.auth] == ["fail"]


def test_dahua_plan_reads_cgi_tables(small_lab: Lab) -> None:
    device = _device(small_lab, DEFAULT)
    audit = asyncio.run(read_device(device, _conn(device), "admin", "admin"))
    assert audit is not None
    facts = {k: v for obs in audit.observations for k, v in obs.fields.items()}
    assert facts["auth.device.firmware"] == "2.420.0000.8.R"
    assert facts["auth.cloud.dahua_p2p"] == "enabled" and facts["auth.upnp.mappings"] == "TCP 80->8080"
    assert facts["auth.ddns.server"] == "Dahua DDNS www.dahuaddns.com"
    assert (
        facts["auth.analytics.face_capture"] == "enabled"
        and facts["auth.analytics.people_counting"] == "disabled"
    )
    assert facts["auth.users"] == "admin:admin,666666:user"
    # Telnet answers 400 "Bad Request!" (absent on this model): skipped, and the reads after it go on
    assert any("name=Telnet" in s and s.endswith("(not on this model)") for s in audit.skipped)
    assert facts["auth.service.ssh"] and facts["auth.analytics.face_capture"]


def test_a_locked_device_is_reported_locked_and_nothing_more_is_sent(small_lab: Lab) -> None:
    device = _device(small_lab, LOCKOUT)
    where = Endpoint(device.ip, 80, False)
    conn = _conn(device)
    outcomes = [
        asyncio.run(digest_get(conn, where, "/ISAPI/Security/userCheck", "admin", "x")).outcome
        for _ in range(3)
    ]
    assert outcomes == ["refused", "refused", "locked"]
    audit = asyncio.run(read_device(device, conn, "admin", OWNER_PASSWORD))
    assert audit is not None and audit.login.outcome == "locked" and audit.observations == ()


def test_no_plan_for_other_makers_or_without_a_web_port() -> None:
    conn = Connector(FAST, scope=Scope.parse(["127.0.0.1"]))
    assert (
        asyncio.run(read_device(Device(ips=("127.0.0.1",), ports=(80,), manufacturer="axis"), conn, "a", "b"))
        is None
    )
    assert (
        asyncio.run(
            read_device(Device(ips=("127.0.0.1",), ports=(554,), manufacturer="dahua"), conn, "a", "b")
        )
        is None
    )


# --- parsers on hostile bytes ---------------------------------------------------------------------


def test_isapi_user_list_keeps_names_and_roles_never_passwords() -> None:
    body = (
        b'<UserList xmlns="http://www.std-cgi.com/ver20/XMLSchema"><User><id>1</id>'
        b"<userName>admin</userName><password>leaked-secret</password>"
        b"<userLevel>Administrator</userLevel></User></UserList>"
    )
    facts = isapi.parse(body, "UserList")
    assert facts == {"auth.users": "admin:Administrator"}
    assert "leaked-secret" not in repr(facts)


@pytest.mark.parametrize(
    "body",
    [
        b'<!DOCTYPE x [<!ENTITY a "b">]><DeviceInfo>&a;</DeviceInfo>',
        b"<DeviceInfo><model>x</model>",
        b"<Other/>",
        b"<a>" * 40 + b"</a>" * 40,
    ],
)
def test_isapi_hostile_or_unexpected_documents_are_protocol_errors(body: bytes) -> None:
    with pytest.raises(ProtocolError):
        isapi.parse(body, "DeviceInfo")
    with pytest.raises(MessageTooLarge):
        isapi.parse(b"<DeviceInfo>" + b"A" * isapi.MAX_BODY + b"</DeviceInfo>", "DeviceInfo")


def test_dahua_tables_are_bounded_and_errors_are_protocol_errors() -> None:
    with pytest.raises(ProtocolError):
        dahua_cgi.parse(b"Error\r\nBad Request!\r\n", "NTP")
    with pytest.raises(MessageTooLarge):
        dahua_cgi.parse(b"a=b\r\n" * 20000, "NTP")
    users = dahua_cgi.parse(
        b"users[0].Name=admin\r\nusers[0].Password=abc\r\nusers[0].Group=admin\r\n", "getUserInfoAll"
    )
    assert users == {"auth.users": "admin:admin"}
    remote = (b"table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.Address=192.168.1.108\r\n"
              b"table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.Enable=true\r\n"
              b"table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_0.ProtocolType=Private\r\n"
              b"table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_1.Enable=false\r\n")  # fmt: skip
    assert dahua_cgi.parse(remote, "RemoteDevice") == {
        "auth.channel.1": "192.168.1.108 Private",
        "auth.channels": "1",
    }


def test_a_403_or_400_skips_one_read_only_after_a_successful_login() -> None:
    from camaudit.assess.authenticated import Login, _skips_one_read

    forbidden, unsupported = (
        Login("forbidden", 403, attempted=True),
        Login("unsupported", 400, attempted=True),
    )
    assert _skips_one_read(forbidden, logged_in=True) and _skips_one_read(unsupported, logged_in=True)
    # before any read succeeded a 403 may be a lockout on some firmware: stop
    assert not _skips_one_read(forbidden, logged_in=False)
    for stop in ("refused", "locked", "rate_limited", "error"):
        assert not _skips_one_read(Login(stop, attempted=True), logged_in=True)
