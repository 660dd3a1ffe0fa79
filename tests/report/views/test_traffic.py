"""`camaudit traffic --json`: the scan's device shape plus egress, lookups and the closed-network verdict."""

from __future__ import annotations

from pathlib import Path

from tests.sources.passive import capture as cap

from camaudit.pipeline.traffic import analyse_files
from camaudit.report.views.devices import device_json
from camaudit.report.views.traffic import TRAFFIC_SCHEMA, traffic_json
from camaudit.sources.passive.summary import Locality
from camaudit.traffic.egress import Policy


def test_each_device_keeps_the_scan_shape_and_adds_where_its_data_went(tmp_path: Path) -> None:
    result = analyse_files([cap.write_pcap(tmp_path / "e.pcap", cap.estate())], Locality(), Policy())
    doc = traffic_json(result, {"all_devices": False})
    assert doc["schema"] == TRAFFIC_SCHEMA and doc["options"] == {"all_devices": False}
    hik = doc["devices"][0]
    assert set(hik) == {*device_json(result.devices[0].device), "egress", "lookups", "closed_network"}
    assert {"remote", "names", "country", "network_owner", "classification"} <= set(hik["egress"][0])
    assert doc["counts"]["records_read"] == 29
