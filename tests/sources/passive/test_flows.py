"""NetFlow/IPFIX CSV exports: nfdump, IPFIX element names and plain headers, written in the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from camaudit.errors import BadImportFile
from camaudit.sources.passive.files import kind_of, read_traffic
from camaudit.sources.passive.flows import read_flows
from camaudit.sources.passive.summary import TrafficSummary


def _read(path: Path) -> TrafficSummary:
    summary = TrafficSummary()
    read_flows(path, summary)
    return summary


def test_nfdump_csv_with_both_directions_and_trailer(tmp_path: Path) -> None:
    path = tmp_path / "nfdump.csv"
    path.write_text(
        "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\n"
        "2023-11-14 22:13:20,2023-11-14 22:13:25,5.000,192.168.1.30,198.51.100.80,40200,8800,UDP,......,0,0,"
        "10,1000,5,400\n"
        "2023-11-14 22:13:21,2023-11-14 22:13:22,1.000,198.51.100.80,192.168.1.30,8800,40200,UDP,......,0,0,"
        "2,100,0,0\n"
        "Summary\nflows,bytes,packets\n2,1500,17\n"
    )
    traffic = _read(path).finish()
    (d,) = traffic.destinations
    assert (d.local, d.remote, d.ports) == ("192.168.1.30", "198.51.100.80", ("udp/8800",))
    assert (d.packets_up, d.bytes_up, d.packets_down, d.bytes_down) == (10, 1000, 7, 500)
    assert (d.first.isoformat(), d.last.isoformat()) == (
        "2023-11-14T22:13:20+00:00",
        "2023-11-14T22:13:25+00:00",
    )
    assert traffic.counts.records == 2


def test_ipfix_names_epoch_milliseconds_and_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "ipfix.csv"
    path.write_text(
        "sourceIPv4Address,destinationIPv4Address,sourceTransportPort,destinationTransportPort,"
        "protocolIdentifier,packetDeltaCount,octetDeltaCount,flowStartMilliseconds,flowEndMilliseconds\n"
        "192.168.1.20,203.0.113.11,40101,31006,6,4,320,1700000000000,1700000001500\n"
        "192.168.1.20,203.0.113.11,40101,31006,6,4,not-a-number,1700000000000,1700000001500\n"
        "192.168.1.20,203.0.113.11,40102,31006,6,1,80,1700000002000,1700000002000\n"
    )
    traffic = _read(path).finish()
    (d,) = traffic.destinations
    assert (d.packets_up, d.bytes_up, d.transports) == (5, 400, ("tcp",))
    assert d.last.timestamp() == 1700000002.0
    assert (traffic.counts.records, traffic.counts.skipped) == (2, 1)
    assert str(traffic.counts.warnings[0]) == f"{path}: line 3: flow row without addresses or a byte count"


def test_missing_columns_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("src_ip,dst_ip,colour\n192.168.1.20,203.0.113.1,red\n")
    with pytest.raises(BadImportFile, match="line 1: flow CSV lacks columns for bytes"):
        _read(path)


def test_files_are_dispatched_by_content(tmp_path: Path) -> None:
    flows = tmp_path / "capture.pcap"  # a misleading name: content decides
    flows.write_text(
        "src_ip,dst_ip,src_port,dst_port,protocol,packets,bytes\n192.168.1.20,203.0.113.1,1,2,17,1,50\n"
    )
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\n")
    assert kind_of(flows) == "flow"
    with pytest.raises(BadImportFile, match=r"notes\.txt: byte 0: not a pcap/pcapng capture"):
        kind_of(junk)
    traffic, kinds = read_traffic([flows])
    assert kinds == {str(flows): "flow"} and traffic.destinations[0].bytes_up == 50


def test_counters_and_times_that_are_no_numbers_are_skipped_not_raised(tmp_path: Path) -> None:
    # fuzz/corpus/netflow_csv/crash-1e0089…: "inf" bytes raised OverflowError out of the reader.
    path = tmp_path / "nfdump.csv"
    rows = [
        "2023-11-14 22:13:20,2023-11-14 22:13:25,5.000,192.168.1.30,198.51.100.80,40200,8800,UDP,......,0,0,"
        f"10,{nbytes},5,400"
        for nbytes in ("inf", "1e999 G", "-5", "nan", "1.5 K")
    ]
    rows.append("inf,nan,5.000,192.168.1.30,198.51.100.81,40200,8800,UDP,......,0,0,1,100,0,0")
    path.write_text("ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\n" + "\n".join(rows) + "\n")
    traffic = _read(path).finish()
    assert traffic.counts.records + traffic.counts.skipped == 6
    by_remote = {d.remote: d for d in traffic.destinations}
    assert by_remote["198.51.100.80"].bytes_up == 1500  # only the "1.5 K" row counted its bytes
