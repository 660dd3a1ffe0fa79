"""The whole scan path against the emulated lab: probes -> identify -> audit record."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

import pytest

from camaudit.data.load import load_vocabulary
from camaudit.lab.runner import Lab
from camaudit.model import Device, Observation, ProbeStatus, Transport
from camaudit.net.limits import Limits
from camaudit.pipeline.scan import ScanResult, identified, reportable, run_scan, scan
from camaudit.report.views.devices import scan_json
from camaudit.scope import Scope

FAST = Limits(rate=2000, connect_timeout=1.5, read_timeout=1.5, udp_wait=1.0)


SCAN_REQUESTS: list[Any] = []


@pytest.fixture(scope="module")
def lab_scan(lab: Lab) -> ScanResult:
    addresses = [entry["address"] for entry in lab.manifest()]
    first = len(lab.requests)  # the lab is shared with tests that send bad requests on purpose
    result = asyncio.run(run_scan(Scope.parse(addresses), FAST))
    SCAN_REQUESTS[:] = lab.requests[first:]
    return result


def _by_ip(result: ScanResult) -> dict[str, Device]:
    return {d.ip: d for d in result.devices}


def _cases(lab: Lab) -> list[tuple[str, str, dict[str, Any]]]:
    return [(e["profile"], e["address"], e["expected"]) for e in lab.manifest()]


def test_every_lab_device_gets_the_maker_brand_model_firmware_and_type_it_should(
    lab: Lab, lab_scan: ScanResult
) -> None:
    devices = _by_ip(lab_scan)
    vocab = load_vocabulary()
    wrong = []
    for profile, address, expected in _cases(lab):
        device = devices.get(address)
        assert device is not None, f"{profile} at {address} missing from the scan"
        # A null maker or brand means a correct audit must NOT conclude one (liar, hostile devices).
        got = {"manufacturer": device.manufacturer, "brand": device.brand}
        for key in ("model", "firmware", "device_type"):
            if expected[key] is not None:
                got[key] = getattr(device, key)
        want = {k: expected[k] for k in got}
        if got != want:
            wrong.append((profile, got, want))
        if expected["is_camera"] is False and not vocab.is_camera_type(expected["device_type"]):
            # Printers and web servers must never be typed as surveillance equipment.
            assert not vocab.is_camera_type(device.device_type), profile
    assert wrong == []


def test_rebrands_keep_the_label_and_name_the_true_maker(lab_scan: ScanResult) -> None:
    pairs = {(d.brand, d.manufacturer) for d in lab_scan.devices}
    for rebrand in [
        ("lts", "hikvision"),
        ("annke", "hikvision"),
        ("ezviz", "hikvision"),
        ("lorex", "dahua"),
        ("amcrest", "dahua"),
    ]:
        assert rebrand in pairs


def test_every_conclusion_carries_its_evidence(lab_scan: ScanResult) -> None:
    for device in lab_scan.devices:
        if device.manufacturer:
            votes = [e for e in device.evidence if e.claims.get("manufacturer") == device.manufacturer]
            assert votes and all(e.value and e.rule_id for e in votes), device.ip


def test_hostile_devices_are_reported_with_the_reason(lab: Lab, lab_scan: ScanResult) -> None:
    where = {e["profile"]: e["address"] for e in lab.manifest()}
    statuses: dict[str, set[ProbeStatus]] = {}
    for attempt in lab_scan.attempts:
        statuses.setdefault(attempt.ip, set()).add(attempt.status)
    assert ProbeStatus.TOO_LARGE in statuses[where["hostile-huge-banner"]]
    assert ProbeStatus.TIMEOUT in statuses[where["hostile-slowloris"]]
    assert ProbeStatus.MALFORMED in statuses[where["hostile-bad-xml"]]
    assert where["hostile-bad-xml"] in _by_ip(lab_scan)  # reported even though nothing parsed


def test_no_probe_changed_any_device(lab_scan: ScanResult) -> None:
    sent = SCAN_REQUESTS
    assert sent, "the lab saw no request from the scan"
    assert [r for r in sent if r.state_changing] == []
    assert {r.method for r in sent if r.protocol in ("http", "https")} <= {"GET", "HEAD", "POST", "connect"}
    onvif_posts = {r.operation for r in sent if r.method == "POST"}
    assert onvif_posts <= {"GetDeviceInformation", "GetSystemDateAndTime"}


def test_json_document_has_the_documented_shape(lab_scan: ScanResult) -> None:
    doc = json.loads(json.dumps(scan_json(lab_scan)))
    assert set(doc) == {"schema", "audit", "devices", "attempts", "seen_out_of_scope"}
    assert doc["audit"]["finished"] and doc["audit"]["scope"]
    device = next(d for d in doc["devices"] if d["manufacturer"] == "hikvision")
    for key in (
        "ip",
        "mac",
        "ports",
        "brand",
        "manufacturer",
        "model",
        "firmware",
        "device_type",
        "confidence",
        "evidence",
        "findings",
    ):
        assert key in device
    assert {"observation_kind", "field", "value", "rule_id"} <= set(device["evidence"][0])


def test_closed_ports_and_silent_discovery_are_not_reported_as_failures(lab_scan: ScanResult) -> None:
    assert all(reportable(a) for a in lab_scan.attempts)
    assert not [a for a in lab_scan.attempts if a.probe == "tcp" and a.status == ProbeStatus.REFUSED]


def test_python_api_refuses_public_targets_before_probing() -> None:
    from camaudit.errors import ScopeError

    with pytest.raises(ScopeError, match="public"):
        scan(["8.8.8.8"])


def test_a_build_date_from_another_report_of_the_same_version_completes_the_device() -> None:
    def seen(kind: str, fields: dict[str, str]) -> Observation:
        return Observation("probe:x", "127.0.0.9", 80, Transport.TCP, kind.split(".")[0], kind, fields)

    dhip = seen("dhip.reply", {"dhip.DeviceType": "IPC-HDW1230S", "dhip.Version": "2.800.0000000.8.R"})
    onvif = seen(
        "onvif.device_information", {"onvif.FirmwareVersion": "2.800.0000000.8.R, Build Date 2020-12-28"}
    )
    [device] = identified([dhip, onvif])
    assert (device.firmware, device.firmware_build) == ("2.800.0000000.8.R", date(2020, 12, 28))
    assert identified([dhip])[0].firmware_build is None
