"""CVE findings on the lab: version-based and verified findings, patched twins clean, OEMs inherit,
the liar never verified, every finding names its evidence, no state-changing request."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from camaudit.assess.checks.cves import CHECK, device_firmware
from camaudit.assess.framework import AssessOptions, Context
from camaudit.lab.runner import Lab
from camaudit.model import Device, Finding, Observation
from camaudit.net.limits import Limits
from camaudit.pipeline.scan import ScanResult, assess_scan, run_scan
from camaudit.scope import Scope

FAST = Limits(rate=2000, connect_timeout=1.5, read_timeout=1.5, udp_wait=1.0)
PROFILES = (
    "hikvision-ipc-cve-2017-7921",
    "hikvision-ipc",
    "hikvision-nvr",
    "dahua-ipc-cve-2021-33044",
    "dahua-ipc",
    "lts-ipc",
    "annke-ipc",
    "amcrest-ipc",
    "lorex-ipc",
    "liar",
    "plain-webserver",
)
SENT: list[Any] = []


@pytest.fixture(scope="module")
def assessed(lab: Lab) -> dict[str, Device]:
    where = {e["profile"]: e["address"] for e in lab.manifest()}
    scope = Scope.parse([where[p] for p in PROFILES])
    first = len(lab.requests)

    async def go() -> ScanResult:
        return await assess_scan(await run_scan(scope, FAST), scope, FAST, AssessOptions(verify=True))

    result = asyncio.run(go())
    SENT[:] = lab.requests[first:]
    by_ip = {d.ip: d for d in result.devices}
    return {p: by_ip[where[p]] for p in PROFILES}


def _cves(device: Device) -> dict[str, Finding]:
    return {f.check_id: f for f in device.findings if f.check_id.startswith("cve-")}


def test_the_vulnerable_hikvision_is_verified_read_only(assessed: dict[str, Device]) -> None:
    found = _cves(assessed["hikvision-ipc-cve-2017-7921"])
    f7921 = found["cve-2017-7921"]
    assert f7921.status == "affected" and f7921.verified
    assert f7921.details["verification"] == "confirmed" and f7921.details["cisa_kev"] == "true"
    verify = [e for e in f7921.evidence if e.kind == "verify.http"]
    control, token = (e.value for e in verify)
    assert control == "GET /system/deviceInfo -> 401, 42 bytes"
    assert token.startswith("GET /system/deviceInfo?auth=YWRtaW46MTEK -> 200, ")
    assert token.endswith(" bytes, marker DeviceInfo")
    # The leaked page is never kept: not its serial number, nor its firmware element.
    flat = repr(f7921)
    assert "DS-2CD2032F-I20150516CCWR512345678" not in flat and "<firmwareVersion>" not in flat
    f7923 = found["cve-2017-7923"]
    assert f7923.status == "affected" and not f7923.verified  # no safe check exists: version-based


def test_the_vulnerable_dahua_gets_a_build_date_finding(assessed: dict[str, Device]) -> None:
    found = _cves(assessed["dahua-ipc-cve-2021-33044"])
    f = found["cve-2021-33044"]
    assert f.status == "affected" and not f.verified and f.details["cisa_kev_added"] == "2024-08-21"
    assert "cve-2021-33045" not in found  # built 2020-12, after the May 2020 bound


@pytest.mark.parametrize(
    "profile", ["hikvision-ipc", "dahua-ipc", "annke-ipc", "amcrest-ipc", "hikvision-nvr"]
)
def test_patched_twins_and_current_firmware_get_no_cve(assessed: dict[str, Device], profile: str) -> None:
    assert _cves(assessed[profile]) == {}


def test_oem_rebrands_inherit_their_makers_cves(assessed: dict[str, Device]) -> None:
    lts = _cves(assessed["lts-ipc"])
    assert lts["cve-2021-36260"].status == "affected"  # LTS label, Hikvision firmware V5.5.82 build 190909
    assert "approximate" in lts["cve-2021-36260"].details["note"]
    # Lorex's own model names are in no Dahua advisory line: nothing is claimed for it either way.
    assert _cves(assessed["lorex-ipc"]) == {}


def test_a_dahua_made_amcrest_inherits_by_maker_and_model_not_by_label() -> None:
    amcrest = Device(ips=("127.0.0.9",), manufacturer="dahua", brand="amcrest", model="IP2M-841B")
    old = _offline(dataclasses.replace(amcrest, firmware="2.800.00AC000.0.R.200101"))
    assert old["cve-2020-5735"].status == "affected" and old["cve-2020-5735"].details["cisa_kev"] == "true"
    assert "cve-2020-5735" not in _offline(dataclasses.replace(amcrest, firmware="2.800.00AC000.0.R.200330"))
    relabelled = dataclasses.replace(amcrest, manufacturer=None, firmware="2.800.00AC000.0.R.200101")
    assert _offline(relabelled) == {}  # the label alone proves nothing


def test_the_liar_and_a_plain_web_server_get_nothing(assessed: dict[str, Device]) -> None:
    for profile in ("liar", "plain-webserver"):
        assert not [f for f in assessed[profile].findings if f.verified], profile
        assert _cves(assessed[profile]) == {}


def test_every_finding_names_its_evidence(assessed: dict[str, Device]) -> None:
    for device in assessed.values():
        for f in device.findings:
            assert f.evidence and all(e.value and e.kind for e in f.evidence), f.check_id


def test_no_request_changed_any_device(assessed: dict[str, Device]) -> None:
    assert SENT and [r for r in SENT if r.state_changing] == []
    verify = [r for r in SENT if r.path.startswith("/system/deviceInfo")]
    assert {r.method for r in verify} == {"GET"} and len(verify) == 2


def _device(**kw: Any) -> Device:
    return Device(ips=("127.0.0.9",), manufacturer="hikvision", device_type="ip_camera", **kw)


def _offline(device: Device, observations: tuple[Observation, ...] = ()) -> dict[str, Finding]:
    ctx = Context(observations, AssessOptions(verify=False))
    return {f.check_id: f for f in asyncio.run(CHECK.run(device, ctx))}


def test_unknown_model_or_firmware_is_undetermined_and_says_which() -> None:
    no_fw = _offline(_device(model="DS-2CD2032F-I"))
    assert no_fw["cve-2017-7921"].status == "undetermined"
    assert no_fw["cve-2017-7921"].details["reason"] == "firmware unknown"
    garbled = _offline(_device(model="DS-2CD2032F-I", firmware="build ???"))
    assert "not a known spelling" in garbled["cve-2017-7921"].details["reason"]
    no_model = _offline(_device(firmware="V5.3.0 build 150513"))
    assert no_model["cve-2017-7921"].details["reason"] == "model unknown"


def test_out_of_range_firmware_gives_no_finding_and_a_dahua_brand_never_matches_hikvision() -> None:
    assert "cve-2017-7921" not in _offline(_device(model="DS-2CD2032F-I", firmware="V5.4.5 build 170101"))
    dahua = Device(ips=("127.0.0.9",), manufacturer="dahua", brand="hikvision", model="DS-2CD2032F-I")
    assert not [k for k in _offline(dahua) if k in ("cve-2017-7921", "cve-2021-36260")]


def test_the_build_date_identification_found_completes_the_firmware() -> None:
    device = Device(ips=("127.0.0.9",), manufacturer="dahua", firmware="2.800.0000000.8.R")
    bare, _ = device_firmware(device)
    assert bare is not None and bare.build is None
    dated = replace(device, firmware_build=date(2020, 12, 28))
    fw, _ = device_firmware(dated)
    assert fw is not None and fw.build is not None and fw.build.isoformat() == "2020-12-28"
