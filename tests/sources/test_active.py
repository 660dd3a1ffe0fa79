"""The whole active pipeline against the emulated lab (tests/conftest.py `lab`, loopback only)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from camaudit.lab.runner import Lab
from camaudit.model import ProbeStatus, Transport
from camaudit.net.connector import Connector
from camaudit.net.limits import Limits
from camaudit.scope import Scope
from camaudit.sources.active import HostResult, observe, scan_host
from camaudit.sources.probes import PROBES

LIMITS = Limits(connect_timeout=1.0, read_timeout=1.5, udp_wait=0.7, rate=2000)


def _port_map(manifest: list[dict[str, Any]]) -> dict[tuple[int, Transport], int]:
    mapping: dict[tuple[int, Transport], int] = {}
    for device in manifest:
        for key, actual in device["ports"].items():
            port, transport = key.split("/")
            mapping[(int(port), Transport(transport))] = int(actual)
    return mapping


class Scan:
    def __init__(self, lab: Lab) -> None:
        self.manifest = lab.manifest()
        self.scope = Scope(addresses=tuple(d["address"] for d in self.manifest))
        self.streamed: list[str] = []
        start = time.monotonic()
        first = len(lab.requests)  # the lab is shared: judge only what this scan sent
        self.results = asyncio.run(self._collect())
        self.seconds = time.monotonic() - start
        self.requests = lab.requests[first:]

    async def _collect(self) -> dict[str, HostResult]:
        found: dict[str, HostResult] = {}

        async def note(result: HostResult) -> None:
            self.streamed.append(result.ip)

        async for result in observe(self.scope, LIMITS, on_host=note, port_map=_port_map(self.manifest)):
            found[result.ip] = result
        return found

    def device(self, profile: str) -> HostResult:
        address = next(d["address"] for d in self.manifest if d["profile"] == profile)
        return self.results[address]

    def has(self, profile: str) -> bool:
        return any(d["profile"] == profile for d in self.manifest)


@pytest.fixture(scope="module")
def scan(lab: Lab) -> Iterator[Scan]:
    yield Scan(lab)


def _kinds(result: HostResult) -> set[str]:
    return {o.kind for o in result.observations}


def _statuses(result: HostResult, probe: str) -> set[ProbeStatus]:
    return {a.status for a in result.attempts if a.probe == probe}


def test_every_host_is_reported_once_and_streamed(scan: Scan) -> None:
    assert set(scan.results) == set(scan.scope.addresses)
    assert sorted(scan.streamed) == sorted(scan.scope.addresses)
    assert all(not r.seen_out_of_scope for r in scan.results.values())


def test_whole_lab_finishes_in_bounded_time(scan: Scan) -> None:
    # Hostile devices (slowloris, 10 MB banner) are cut off by the timeouts and the cap.
    assert scan.seconds < 30


def test_declared_services_yield_their_observations(scan: Scan) -> None:
    expect = {
        "37020/udp": "sadp.reply",
        "37810/udp": "dhip.reply",
        "5050/udp": "dvrip.legacy_reply",
        "3702/udp": "wsdiscovery.match",
        "1900/udp": "ssdp.reply",
        "5353/udp": "mdns.answer",
        "8000/tcp": "hiksdk.reply",
        "37777/tcp": "dvrip.reply",
        "554/tcp": "rtsp.response",
        "80/tcp": "http.response",
        "443/tcp": "tls.certificate",
    }
    missing = []
    for device in scan.manifest:
        if device["profile"].startswith(("hostile-", "liar")):
            continue
        kinds = _kinds(scan.results[device["address"]])
        missing += [(device["profile"], k) for k in device["ports"] if k in expect and expect[k] not in kinds]
    assert not missing


def test_observations_follow_the_conventions(scan: Scan) -> None:
    for result in scan.results.values():
        for obs in result.observations:
            assert obs.ip == result.ip
            assert obs.source == f"probe:{obs.source.split(':')[1]}"
            assert len(obs.raw) <= 4096


def test_hikvision_sadp_carries_model_and_mac(scan: Scan) -> None:
    device = next(d for d in scan.manifest if d["profile"] == "hikvision-ipc")
    result = scan.results[device["address"]]
    sadp = next(o for o in result.observations if o.kind == "sadp.reply")
    if device["expected"].get("model"):
        assert device["expected"]["model"] in sadp.fields["sadp.DeviceDescription"]
    assert sadp.fields["sadp.MAC"].lower().replace("-", ":") == device["mac"].lower()
    # On loopback there is no layer 2: no observation may carry a MAC the device merely claimed.
    assert all(o.mac is None for o in result.observations)


def test_dahua_family_realm_and_vendor(scan: Scan) -> None:
    for profile in ("dahua-ipc", "lorex-ipc", "amcrest-ipc"):
        result = scan.device(profile)
        dhip = [o for o in result.observations if o.kind == "dhip.reply"]
        assert dhip and "dhip.Vendor" in dhip[0].fields, profile


def test_upnp_description_follows_the_ssdp_reply(scan: Scan) -> None:
    axis = scan.device("axis-camera")
    (desc,) = [o for o in axis.observations if o.kind == "upnp.description"]
    assert desc.port == 45895 and desc.fields["upnp.modelNumber"] == "P3225-LV Mk II"
    dahua = scan.device("dahua-ipc")
    assert _statuses(dahua, "upnp") == {ProbeStatus.REFUSED}  # LOCATION's port 49152 is closed in the lab
    described = {ip for ip, r in scan.results.items() if any(a.probe == "upnp" for a in r.attempts)}
    assert described == {scan.device(p).ip for p in ("axis-camera", "dahua-ipc")}  # only SSDP speakers
    gets = [r for r in scan.requests if r.protocol == "http" and r.port == 45895]
    assert [(r.device, r.path) for r in gets] == [("axis-camera", "/rootdesc1.xml")]


def test_liar_is_marked_catch_all(scan: Scan) -> None:
    result = scan.device("liar")
    canaries = [o for o in result.observations if "http.catch_all" in o.fields]
    assert canaries and all(o.fields["http.catch_all"] == "true" for o in canaries)


def test_honest_devices_are_not_catch_all(scan: Scan) -> None:
    result = scan.device("hikvision-ipc")
    canaries = [o for o in result.observations if "http.catch_all" in o.fields]
    assert canaries and all(o.fields["http.catch_all"] == "false" for o in canaries)


def test_slowloris_times_out(scan: Scan) -> None:
    result = scan.device("hostile-slowloris")
    assert ProbeStatus.TIMEOUT in _statuses(result, "http")
    assert ProbeStatus.TIMEOUT in _statuses(result, "rtsp")


def test_huge_banner_is_too_large(scan: Scan) -> None:
    result = scan.device("hostile-huge-banner")
    assert any(a.status is ProbeStatus.TOO_LARGE for a in result.attempts)
    assert all(a.bytes_read <= LIMITS.read_cap for a in result.attempts)


def test_bad_xml_is_malformed(scan: Scan) -> None:
    result = scan.device("hostile-bad-xml")
    assert ProbeStatus.MALFORMED in _statuses(result, "sadp") | _statuses(result, "wsdiscovery")


def test_script_names_come_back_as_plain_text(scan: Scan) -> None:
    result = scan.device("hostile-script")
    values = [v for o in result.observations for v in o.fields.values()]
    assert any("<script>" in v for v in values)


def test_no_state_changing_request_reached_any_device(scan: Scan) -> None:
    ours = [r for r in scan.requests if r.device in {d["profile"] for d in scan.manifest}]
    assert ours, "the scan sent nothing?"
    assert not [r for r in ours if r.state_changing]
    assert {r.method for r in ours if r.protocol in ("http", "https")} <= {
        "GET",
        "POST",
        "connect",
        "malformed",
    }
    posts = {r.operation for r in ours if r.method == "POST"}
    assert posts <= {"GetDeviceInformation", "GetSystemDateAndTime"}


@pytest.mark.asyncio
async def test_out_of_scope_host_is_never_contacted(lab: Lab) -> None:
    manifest = lab.manifest()
    inside, outside = manifest[0]["address"], manifest[1]["address"]
    before = sum(1 for r in lab.requests if r.device == manifest[1]["profile"])
    conn = Connector(LIMITS, scope=Scope(addresses=(inside,)), port_map=_port_map(manifest))
    result = await scan_host(outside, conn, PROBES)
    await asyncio.sleep(0.2)
    after = sum(1 for r in lab.requests if r.device == manifest[1]["profile"])
    assert after == before
    assert {a.status for a in result.attempts} <= {ProbeStatus.SKIPPED, ProbeStatus.ERROR}
    assert result.observations == ()
