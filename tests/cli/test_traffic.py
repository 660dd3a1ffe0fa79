"""`camaudit traffic` end to end over generated files: table, JSON shape, options, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.sources.passive import capture as cap

from camaudit.cli import _register, cli


def _run(args: list[str]) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    return cap.write_pcap(tmp_path / "estate.pcap", cap.estate(), compress=True)


def _json(args: list[str]) -> dict[str, Any]:
    code, out, err = _run([*args, "--json", "-"])
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_json_has_scan_device_shape_plus_egress_and_counts(estate: Path) -> None:
    data = _json(["traffic", str(estate), "--allowed-countries", "gb,ie"])
    assert data["schema"] == "camaudit.traffic/1"
    assert [d["ip"] for d in data["devices"]] == [cap.HIK, cap.DAHUA, cap.CLOSED_CAM]
    hik = data["devices"][0]
    for key in ("ip", "mac", "brand", "manufacturer", "model", "evidence", "findings", "egress", "lookups"):
        assert key in hik
    assert (hik["manufacturer"], hik["mac"]) == ("hikvision", cap.HIK_MAC)
    reg = next(e for e in hik["egress"] if e["remote"] == cap.EZVIZ_REG)
    assert (reg["bytes_up"], reg["bytes_down"], reg["packets_up"], reg["packets_down"]) == (720, 280, 3, 2)
    assert reg["names"] == [{"name": "litedev.ezvizlife.com", "how": "dns"}]
    assert reg["classification"]["endpoint"] == "hik-ezviz-cloud"
    assert reg["classification"]["operator_country"] == "CN"
    assert reg["country"] is None  # documentation range: no country in the bundled data
    checks = {f["check_id"] for f in hik["findings"]}
    assert {"egress-vendor-cloud-hik-ezviz-cloud", "egress-country-unknown"} <= checks
    assert all(f["verified"] is False for f in hik["findings"] if f["kind"] in ("egress", "policy"))
    assert data["options"]["allowed_countries"] == ["GB", "IE"]
    assert data["counts"]["records_read"] == 29 and data["counts"]["records_skipped"] == 4
    assert data["counts"]["files"] == [{"file": str(estate), "kind": "pcap"}]


def test_closed_network_upheld_and_violated_in_json(estate: Path) -> None:
    data = _json(["traffic", str(estate), "--closed-network", "192.168.2.0/24"])
    closed = next(d for d in data["devices"] if d["ip"] == cap.CLOSED_CAM)
    assert closed["closed_network"] == "upheld"
    (finding,) = [f for f in closed["findings"] if f["check_id"] == "egress-closed-network"]
    assert finding["status"] == "upheld"
    data = _json(["traffic", str(estate), "--closed-network", "192.168.1.0/24"])
    states = {d["ip"]: d["closed_network"] for d in data["devices"]}
    assert states[cap.HIK] == states[cap.DAHUA] == states[cap.PC] == "violated"


def test_all_devices_and_internal_networks(estate: Path) -> None:
    data = _json(["traffic", str(estate), "--all-devices"])
    assert cap.PC in [d["ip"] for d in data["devices"]]
    # Declaring 203.0.113.0/24 internal takes the EZVIZ servers out of the egress list.
    data = _json(["traffic", str(estate), "--internal", "203.0.113.0/24"])
    hik = next(d for d in data["devices"] if d["ip"] == cap.HIK)
    assert sorted(e["remote"] for e in hik["egress"]) == [cap.NTP, cap.EZVIZ_STUN]


def test_table_on_stdout_and_counts_on_stderr(estate: Path) -> None:
    code, out, err = _run(["traffic", str(estate), "--upload-threshold", "4K"])
    assert code == 0
    assert "Egress per device" in out and cap.DAHUA in out and "dahua-easy4ip-p2p" in out
    assert "29 record(s) read, 4 skipped" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--allowed-countries", "GBR"], "--allowed-countries"),
        (["--internal", "10.0.0.300/8"], "--internal"),
        (["--upload-threshold", "lots"], "--upload-threshold"),
    ],
)
def test_bad_options_exit_2_with_one_line(estate: Path, args: list[str], message: str) -> None:
    code, out, err = _run(["traffic", str(estate), *args])
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_wrong_file_type_exits_2_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    code, _, err = _run(["traffic", str(path)])
    assert code == 2
    assert f"{path}: byte 0: not a pcap/pcapng capture" in err


def test_passive_devices_merge_with_active_ones_in_the_register(lab: Any, tmp_path: Path) -> None:
    """A camera scanned actively, then seen in a capture phoning the EZVIZ cloud: one register device."""
    hik = next(e for e in lab.manifest() if e["profile"] == "hikvision-ipc")
    db = str(tmp_path / "register.sqlite")
    code, _, err = _run(["scan", hik["address"], "--rate", "2000", "--no-verify", "--db", db])
    assert code == 0, err
    camera, cloud = "192.168.1.64", "198.18.1.10"  # in a file only: nothing is sent anywhere
    sadp = cap.sadp_reply(camera, hik["mac"], "DS-2CD2347G2-LU", "SN1")
    dns = cap.dns_answer("litedev.ezvizlife.com", [cloud])
    frames = [
        (cap.T0 + 1, cap.udp(camera, "239.255.255.250", 37020, 37020, sadp, mac=hik["mac"])),
        (cap.T0 + 2, cap.udp(cap.RESOLVER, camera, 53, 40000, dns, mac=cap.ROUTER_MAC, dst_mac=hik["mac"])),
        (cap.T0 + 3, cap.tcp(camera, cloud, 40100, 8666, b"\x9e" * 200, mac=hik["mac"])),
    ]
    pcap = cap.write_pcap(tmp_path / "mirror.pcap", frames)
    code, _, err = _run(["traffic", str(pcap), "--db", db])
    assert code == 0, err
    from camaudit.store import Reader

    with Reader(db) as reader:
        audits = reader.audits()
        known = [r for r in reader.register_devices() if r.key == f"mac:{hik['mac']}"]
        passive = reader.devices(audits[-1].id)
        assert reader.previous(audits[-1]) is None  # a capture is compared with captures, not with scans
    assert [a.options.get("kind", "scan") for a in audits] == ["scan", "traffic"]
    assert len(known) == 1  # one physical camera, seen by both audits
    assert known[0].audit_id == audits[-1].id and known[0].device.ips == (camera,)
    egress = [f for r in passive for f in r.device.findings if f.kind.value == "egress"]
    assert any("ezviz" in f.check_id or "cloud" in f.check_id for f in egress)


def test_no_db_records_nothing(estate: Path, tmp_path: Path) -> None:
    db = tmp_path / "none.sqlite"
    code, _, err = _run(["traffic", str(estate), "--no-db", "--db", str(db)])
    assert code == 0, err
    assert not db.exists()
