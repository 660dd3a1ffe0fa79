"""The device as people see it, and read back from a scan file as faithfully as that shape allows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from tests.store.conftest import finding, hik

from camaudit.model import Audit, ProbeAttempt, ProbeStatus, Transport
from camaudit.pipeline.scan import ScanResult
from camaudit.report.views.devices import SCAN_SCHEMA, device_from_json, device_json, scan_json


def test_the_view_rounds_and_renames_and_reads_back_what_it_shows() -> None:
    device = hik(confidence=0.98765, findings=(finding(),))
    shown = device_json(device)
    assert shown["confidence"] == 0.988 and shown["evidence"][0]["observation_kind"] == "http.response"
    assert "ip" not in shown["evidence"][0]  # where evidence was seen is the register's, not the view's
    back = device_from_json(shown)
    assert back == replace(
        device, confidence=0.988, evidence=tuple(replace(e, ip=None) for e in device.evidence)
    )


def test_the_scan_document() -> None:
    audit = Audit("a" * 32, datetime(2027, 1, 1, tzinfo=UTC), ("127.0.0.1",))
    failed = ProbeAttempt("rtsp", "127.0.0.1", 554, Transport.TCP, ProbeStatus.TIMEOUT)
    doc = scan_json(ScanResult(audit, (hik(),), (failed,), (), ("127.0.0.99",)))
    assert doc["schema"] == SCAN_SCHEMA and doc["audit"]["id"] == "a" * 32
    assert [d["ip"] for d in doc["devices"]] == ["127.0.0.1"] and doc["attempts"][0]["status"] == "timeout"
    assert doc["seen_out_of_scope"] == ["127.0.0.99"]
