"""Exposure findings from what the scan saw, each naming the observation it rests on."""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

import pytest

from camaudit.assess.checks.exposure import CHECK
from camaudit.assess.framework import AssessOptions, Context
from camaudit.lab.runner import Lab
from camaudit.model import Device, Finding, Observation, Transport
from camaudit.net.limits import Limits
from camaudit.pipeline.scan import ScanResult, assess_scan, run_scan
from camaudit.scope import Scope

FAST = Limits(rate=2000, connect_timeout=1.5, read_timeout=1.5, udp_wait=1.0)
IP = "127.0.0.9"
PROFILES = ("ezviz-camera", "hikvision-nvr", "hikvision-ipc", "axis-camera", "dahua-ipc")


def _obs(kind: str, port: int | None, **fields: str) -> Observation:
    return Observation("probe:test", IP, port, Transport.TCP, kind.split(".")[0], kind, fields)


def _run(observations: list[Observation], **options: Any) -> dict[str, Finding]:
    ctx = Context(tuple(observations), AssessOptions(**options))
    return {f.check_id: f for f in asyncio.run(CHECK.run(Device(ips=(IP,)), ctx))}


def test_each_rule_fires_on_its_observation_and_names_it() -> None:
    found = _run(
        [
            _obs("sadp.reply", 37020, **{"sadp.HCPlatformEnable": "true", "sadp.Activated": "false"}),
            _obs("tcp.open", 23),
            _obs("tcp.open", 22),
            _obs("http.response", 80, **{"http.status": "200", "http.header.server": "Linux UPnP/1.0 x"}),
            _obs("rtsp.response", 554, **{"rtsp.method": "DESCRIBE", "rtsp.status": "200"}),
            _obs("onvif.device_information", 80, **{"onvif.Manufacturer": "HIKVISION"}),
        ],
        internet_facing=(ipaddress.ip_network("127.0.0.0/24"),),
    )
    assert set(found) == {
        "exposure-hik-connect-enabled",
        "exposure-not-activated",
        "exposure-telnet-open",
        "exposure-ssh-open",
        "exposure-upnp",
        "exposure-http-cleartext",
        "exposure-rtsp-no-auth",
        "exposure-onvif-no-auth",
        "exposure-internet-facing",
    }
    assert found["exposure-hik-connect-enabled"].evidence[0].field == "sadp.HCPlatformEnable"
    assert found["exposure-internet-facing"].details["network"] == "127.0.0.0/24"
    assert not any(f.verified for f in found.values())


def test_protected_or_closed_services_give_nothing() -> None:
    found = _run(
        [
            _obs("sadp.reply", 37020, **{"sadp.HCPlatformEnable": "false", "sadp.Activated": "true"}),
            _obs("http.response", 443, **{"http.status": "200", "http.tls": "true"}),
            _obs("rtsp.response", 554, **{"rtsp.method": "DESCRIBE", "rtsp.status": "401"}),
            _obs("rtsp.response", 554, **{"rtsp.method": "OPTIONS", "rtsp.status": "200"}),
            _obs("onvif.device_information", 80, **{"onvif.fault": "ter:NotAuthorized"}),
            _obs("tcp.open", 80),
        ],
        internet_facing=(ipaddress.ip_network("10.0.0.0/8"),),
    )
    assert found == {}


def test_activate_status_page_saying_false_counts() -> None:
    body = "<ActivateStatus><Activated>false</Activated></ActivateStatus>"
    found = _run([_obs("http.response", 80, **{"http.path": "/SDK/activateStatus", "http.body": body})])
    assert found["exposure-not-activated"].evidence[0].field == "http.body"


@pytest.fixture(scope="module")
def lab_devices(lab: Lab) -> dict[str, Device]:
    where = {e["profile"]: e["address"] for e in lab.manifest()}
    scope = Scope.parse([where[p] for p in PROFILES])

    async def go() -> ScanResult:
        return await assess_scan(await run_scan(scope, FAST), scope, FAST, AssessOptions())

    by_ip = {d.ip: d for d in asyncio.run(go()).devices}
    return {p: by_ip[where[p]] for p in PROFILES}


def test_lab_cloud_state_comes_from_sadp(lab_devices: dict[str, Device]) -> None:
    ids = {p: {f.check_id for f in d.findings} for p, d in lab_devices.items()}
    assert "exposure-hik-connect-enabled" in ids["ezviz-camera"]
    assert "exposure-hik-connect-enabled" in ids["hikvision-nvr"]
    assert "exposure-hik-connect-enabled" not in ids["hikvision-ipc"]  # SADP says HCPlatformEnable=false
    assert "exposure-http-cleartext" in ids["dahua-ipc"]
