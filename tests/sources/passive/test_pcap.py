"""pcap/pcapng reading over generated captures: exact aggregates, and damaged files."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import pytest
from tests.sources.passive import capture as cap

from camaudit.errors import BadImportFile
from camaudit.sources.passive.pcap import capture_kind, read_capture
from camaudit.sources.passive.summary import Traffic, TrafficSummary


def _read(*paths: Path) -> Traffic:
    summary = TrafficSummary()
    for path in paths:
        read_capture(path, summary)
    return summary.finish()


def _dest(traffic: Traffic, local: str, remote: str) -> tuple[int, int, int, int, tuple[str, ...]]:
    (d,) = [d for d in traffic.destinations if (d.local, d.remote) == (local, remote)]
    return (d.packets_up, d.bytes_up, d.packets_down, d.bytes_down, d.ports)


@pytest.fixture
def estate_pcap(tmp_path: Path) -> Path:
    return cap.write_pcap(tmp_path / "estate.pcap", cap.estate())


def test_estate_destinations_are_exact(estate_pcap: Path) -> None:
    traffic = _read(estate_pcap)
    assert traffic.counts.records == 29
    assert traffic.counts.skipped == 4  # runt, ARP, IHL 2, cut UDP header
    # 3 x (20 IP + 20 TCP + 200) up, 2 x (20 + 20 + 100) down
    assert _dest(traffic, cap.HIK, cap.EZVIZ_REG) == (3, 720, 2, 280, ("tcp/8666",))
    assert _dest(traffic, cap.HIK, cap.EZVIZ_STUN) == (1, 59, 0, 0, ("udp/31007",))
    assert _dest(traffic, cap.DAHUA, cap.P2P) == (1, 69, 1, 56, ("udp/8800",))
    # PTCP datagrams: 4 x (20 + 8 + 1000); the relay port is ephemeral-looking, so not a service port
    assert _dest(traffic, cap.DAHUA, cap.RELAY) == (4, 4112, 0, 0, ())
    relay = next(d for d in traffic.destinations if d.remote == cap.RELAY)
    assert relay.prefixes[0][1].startswith(b"PTCP")
    assert relay.first.timestamp() < relay.last.timestamp()
    assert {d.local for d in traffic.destinations} == {cap.HIK, cap.DAHUA, cap.PC}  # the closed camera: none


def test_names_from_dns_sni_and_lookups(estate_pcap: Path) -> None:
    traffic = _read(estate_pcap)
    names = {d.remote: d.names for d in traffic.destinations}
    assert names[cap.EZVIZ_REG] == (("litedev.ezvizlife.com", "dns"),)
    assert names[cap.P2P] == (("www.easy4ipcloud.com", "dns"),)
    assert names[cap.WEB] == (("www.example.org", "sni"),)
    assert traffic.lookups[cap.DAHUA] == ("www.easy4ipcloud.com", "www.imoulife.com")


def test_passive_observations_and_macs(estate_pcap: Path) -> None:
    traffic = _read(estate_pcap)
    kinds = {(o.ip, o.kind) for o in traffic.observations}
    assert (cap.HIK, "sadp.reply") in kinds
    assert (cap.DAHUA, "dhip.reply") in kinds
    assert (cap.CLOSED_CAM, "sadp.reply") in kinds
    (dhcp,) = [o for o in traffic.observations if o.kind == "dhcp.request"]
    assert (dhcp.ip, dhcp.mac) == (cap.HIK, cap.HIK_MAC)
    assert dict(dhcp.fields) == {"dhcp.vendor_class": "udhcp 1.19.4", "dhcp.hostname": "IPCamera"}
    assert traffic.macs[cap.HIK] == cap.HIK_MAC
    assert traffic.macs[cap.DAHUA] == cap.DAHUA_MAC


def test_gzip_is_sniffed_by_magic_not_name(tmp_path: Path, estate_pcap: Path) -> None:
    packed = cap.write_pcap(tmp_path / "looks-plain.pcap", cap.estate(), compress=True)
    assert packed.read_bytes()[:2] == b"\x1f\x8b"
    assert _read(packed).destinations == _read(estate_pcap).destinations


def test_pcapng_and_nanosecond_pcap_give_the_same_aggregate(tmp_path: Path, estate_pcap: Path) -> None:
    ng = cap.write_pcapng(tmp_path / "estate.pcapng", cap.estate())
    nano = cap.write_pcap(tmp_path / "nano.pcap", cap.estate(), nano=True)
    assert capture_kind(ng) == "pcapng"
    base = _read(estate_pcap).destinations
    assert _read(ng).destinations == base
    assert [d.bytes_up for d in _read(nano).destinations] == [d.bytes_up for d in base]


def test_truncated_file_keeps_every_whole_record(tmp_path: Path, estate_pcap: Path) -> None:
    data = estate_pcap.read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[:-7])  # the last record loses its tail
    traffic = _read(cut)
    assert traffic.counts.records == 28
    (warning,) = traffic.counts.warnings
    assert warning.file == str(cut)
    assert warning.where == f"byte {len(data) - 7 - (len(data) - 7 - _last_record_offset(data))}"
    assert "truncated" in warning.message


def _last_record_offset(data: bytes) -> int:
    pos, last = 24, 24
    while pos < len(data):
        last = pos
        pos += 16 + struct.unpack_from("<I", data, pos + 8)[0]
    return last + 16  # the short read is of the record's data, after its 16-byte header


def test_corrupt_record_in_the_middle_is_skipped_and_reading_resumes(tmp_path: Path) -> None:
    frames = cap.estate()
    good = cap.write_pcap(tmp_path / "good.pcap", frames)
    data = bytearray(good.read_bytes())
    # record 6's caplen becomes 3 GB: dpkt alone would try to read the rest of the file as one packet
    pos = 24
    for _ in range(5):
        pos += 16 + struct.unpack_from("<I", data, pos + 8)[0]
    struct.pack_into("<I", data, pos + 8, 3_000_000_000)
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(bytes(data))
    traffic = _read(bad)
    assert traffic.counts.records == 28  # all but the damaged one
    messages = [str(w) for w in traffic.counts.warnings]
    assert messages[0] == f"{bad}: byte {pos + 16}: record length 3000000000 out of range"
    assert "resynchronised" in messages[1]
    assert _dest(traffic, cap.DAHUA, cap.RELAY) == (4, 4112, 0, 0, ())


def test_corrupt_gzip_counts_what_came_before(tmp_path: Path, estate_pcap: Path) -> None:
    packed = bytearray(gzip.compress(estate_pcap.read_bytes()))
    packed[len(packed) // 2 : len(packed) // 2 + 40] = b"\xff" * 40
    path = tmp_path / "broken.pcap.gz"
    path.write_bytes(bytes(packed))
    traffic = _read(path)
    assert traffic.counts.warnings
    assert traffic.counts.warnings[0].file == str(path)
    assert traffic.counts.warnings[0].where.startswith("byte ")
    assert 0 < traffic.counts.records < 29


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"ts\tuid\n1\t2\n", "not a pcap or pcapng file"), (b"", "magic empty"), (b"\x1f\x8bnot gzip", "gzip")],
)
def test_wrong_file_type_is_a_clear_error(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "x.pcap"
    path.write_bytes(content)
    with pytest.raises(BadImportFile, match=reason) as info:
        _read(path)
    assert str(path) in str(info.value)


def test_header_only_magic_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "stub.pcap"
    path.write_bytes(b"\xd4\xc3\xb2\xa1\x02\x00")
    with pytest.raises(BadImportFile, match="bad capture header"):
        _read(path)


def test_unsupported_link_type_is_a_counted_warning(tmp_path: Path) -> None:
    path = tmp_path / "wifi.pcap"
    with path.open("wb") as handle:
        import dpkt

        writer = dpkt.pcap.Writer(handle, linktype=105)  # IEEE 802.11
        writer.writepkt(b"\x00" * 40, ts=cap.T0)
    traffic = _read(path)
    assert (traffic.counts.records, traffic.counts.skipped) == (1, 1)
    assert "link type 105 not supported" in traffic.counts.warnings[0].message
