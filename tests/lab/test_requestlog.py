"""The request log records every request and flags (never acts on) state-changing ones."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

from tests.lab.clients import http_get, rtsp_ask, udp_ask

from camaudit.lab.requestlog import RequestLog
from camaudit.lab.runner import Lab
from camaudit.protocols import dhip, onvif, sadp


def _since(lab: Lab, device: str, start: float) -> list[dict[str, object]]:
    return [asdict(r) for r in lab.log.for_device(device) if r.time >= start]


def test_log_writes_json_lines(tmp_path: Path) -> None:
    log = RequestLog(tmp_path / "requests.jsonl")
    log.add("dev", "http", 80, "tcp", "GET", path="/", state_changing=False)
    log.add("dev", "http", 80, "tcp", "PUT", path="/ISAPI/x", body_size=3, state_changing=True)
    log.close()
    lines = [json.loads(line) for line in (tmp_path / "requests.jsonl").read_text().splitlines()]
    assert [(d["method"], d["state_changing"]) for d in lines] == [("GET", False), ("PUT", True)]
    assert len(log.state_changing()) == 1


def test_reads_are_logged_and_not_flagged(lab: Lab) -> None:
    start = time.time()
    address = lab.addresses["hikvision-ipc"]
    http_get(address, 80, "/SDK/activateStatus")
    rtsp_ask(address, 554, "DESCRIBE")
    udp_ask(address, 37020, sadp.build_inquiry())
    records = _since(lab, "hikvision-ipc", start)
    assert [(r["protocol"], r["method"]) for r in records] == [
        ("http", "GET"),
        ("rtsp", "DESCRIBE"),
        ("sadp", "inquiry"),
    ]
    assert not any(r["state_changing"] for r in records)
    assert records[0]["path"] == "/SDK/activateStatus"


def test_onvif_read_operations_are_not_state_changing(lab: Lab) -> None:
    start = time.time()
    address = lab.addresses["dahua-ipc"]
    for body in (onvif.build_get_device_information(), onvif.build_get_system_date_and_time()):
        headers = (("Content-Type", "application/soap+xml; charset=utf-8"),)
        response = http_get(address, 80, onvif.DEVICE_SERVICE_PATH, method="POST", body=body, headers=headers)
        assert response.status == 200
    records = _since(lab, "dahua-ipc", start)
    assert [r["operation"] for r in records] == ["GetDeviceInformation", "GetSystemDateAndTime"]
    assert not any(r["state_changing"] for r in records)


def test_state_changing_requests_are_flagged_and_refused(lab: Lab) -> None:
    start = time.time()
    hik, dahua = lab.addresses["hikvision-ipc"], lab.addresses["dahua-ipc"]
    put = http_get(
        hik, 80, "/ISAPI/System/Network/EZVIZ", method="PUT", body=b"<EZVIZ><enabled>false</enabled></EZVIZ>"
    )
    assert put.status == 403
    reboot = onvif.build_get_device_information().replace(b"GetDeviceInformation", b"SystemReboot")
    fault = http_get(dahua, 80, onvif.DEVICE_SERVICE_PATH, method="POST", body=reboot)
    assert onvif.parse_response(fault.body).fault is not None
    activate = sadp.build_inquiry().replace(b"inquiry", b"activate")
    udp_ask_no_reply(hik, 37020, activate)
    set_config = dhip.build_message({"method": "DHDiscover.setConfig", "params": {}})
    refused = dhip.parse_message(udp_ask(dahua, 37810, set_config))
    assert refused.body["result"] is False
    flagged = [
        r for d in ("hikvision-ipc", "dahua-ipc") for r in _since(lab, d, start) if r["state_changing"]
    ]
    assert sorted(str(r["method"]) for r in flagged) == ["DHDiscover.setConfig", "POST", "PUT", "activate"]
    assert {r["operation"] for r in flagged if r["method"] == "POST"} == {"SystemReboot"}


def udp_ask_no_reply(address: str, port: int, payload: bytes) -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.5)
        sock.sendto(payload, (address, port))
        try:
            data = sock.recv(65536)
        except TimeoutError:
            return
    raise AssertionError(f"a state-changing SADP message was answered: {data[:80]!r}")
