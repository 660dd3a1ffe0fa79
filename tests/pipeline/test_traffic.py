"""The passive audit as an engine: files in, devices with egress out, recorded as a `traffic` audit."""

from __future__ import annotations

from pathlib import Path

from tests.sources.passive import capture as cap

from camaudit.model import FindingKind
from camaudit.pipeline.traffic import analyse_files, record
from camaudit.sources.passive.summary import Locality
from camaudit.store import Reader, Register
from camaudit.traffic.egress import Policy


def test_files_become_devices_with_egress_and_one_recorded_traffic_audit(tmp_path: Path) -> None:
    estate = cap.write_pcap(tmp_path / "estate.pcap", cap.estate())
    result = analyse_files([estate], Locality(), Policy())
    assert [dt.device.ip for dt in result.devices] == [cap.HIK, cap.DAHUA, cap.CLOSED_CAM]
    assert result.kinds == {str(estate): "pcap"} and result.traffic.counts.records == 29
    with Register(tmp_path / "r.sqlite") as register:
        audit_id = record(register, [estate], {"all_devices": False}, result)
    with Reader(tmp_path / "r.sqlite") as reader:
        audit = reader.audit(audit_id)
        devices = {r.device.ip: r.device for r in reader.devices(audit_id)}
    assert audit.options == {"kind": "traffic", "all_devices": False} and audit.scope == (str(estate),)
    assert devices[cap.HIK].mac == cap.HIK_MAC
    assert any(f.kind is FindingKind.EGRESS for f in devices[cap.HIK].findings)
