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
    assert set(doc) == {"schema", "complete", "hosts_done", "hosts_in_scope", "audit", "devices", "attempts",
                        "seen_out_of_scope"}  # fmt: skip
    assert (doc["complete"], doc["hosts_done"]) == (True, doc["hosts_in_scope"])
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


def test_a_stopped_scan_keeps_every_finished_host_with_its_findings(lab: Lab, tmp_path: Any) -> None:
    from camaudit.assess.framework import AssessOptions
    from camaudit.pipeline.progress import ScanProgress
    from camaudit.store import Reader, Register

    addresses = [e["address"] for e in lab.manifest()]
    slow = Limits(rate=60, concurrency=2, per_host=1, connect_timeout=1.0, read_timeout=1.0, udp_wait=0.5)
    stop = asyncio.Event()
    progress = ScanProgress()
    done: list[str] = []

    def on_host(host: Any, devices: Any) -> None:
        done.append(host.ip)
        if len(done) == 3:
            stop.set()

    db = tmp_path / "stopped.sqlite"
    with Register(db) as register:
        result = asyncio.run(
            run_scan(Scope.parse(addresses), slow, register=register, on_host=on_host, progress=progress,
                     stop=stop, assessment=AssessOptions(verify=False))
        )  # fmt: skip
    assert not result.complete and result.hosts_done == 3 and progress.phase == "stopped"
    assert sorted(d.ip for d in result.devices) == sorted(done)
    with Reader(db) as reader:
        [audit] = reader.audits()
        assert not audit.complete and reader.recorded_hosts(audit.id) == set(done)
        recorded = {r.device.ip: r.device.findings for r in reader.devices(audit.id)}
    assert recorded == {d.ip: d.findings for d in result.devices}  # findings recorded host by host
    assert any(recorded.values())


def test_host_by_host_assessment_equals_assessing_the_whole_scan(lab: Lab) -> None:
    from camaudit.assess.framework import AssessOptions
    from camaudit.pipeline.scan import assess_scan

    addresses = [e["address"] for e in lab.manifest()][:8]
    scope = Scope.parse(addresses)
    options = AssessOptions(verify=False)
    streamed = asyncio.run(run_scan(scope, FAST, assessment=options))
    at_end = asyncio.run(assess_scan(asyncio.run(run_scan(scope, FAST)), scope, FAST, options))
    assert {d.ip: [f.check_id for f in d.findings] for d in streamed.devices} == {
        d.ip: [f.check_id for f in d.findings] for d in at_end.devices
    }


def test_the_port_selection_is_recorded_and_only_those_ports_are_contacted(lab: Lab) -> None:
    from camaudit.sources.ports import parse_ports

    entry = next(e for e in lab.manifest() if e["profile"] == "hikvision-ipc")
    first = len(lab.requests)
    result = asyncio.run(run_scan(Scope.parse([entry["address"]]), FAST, ports=parse_ports("554,U:37020")))
    assert result.audit.options["ports"] == "554,U:37020"
    assert {r.port for r in lab.requests[first:] if r.device == "hikvision-ipc"} <= {554, 37020}
    [device] = result.devices
    assert device.ports == (554, 37020)  # the TCP port chosen and the SADP reply
