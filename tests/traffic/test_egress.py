"""Egress per camera over a generated capture: classifications, volumes, countries, findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.sources.passive import capture as cap

from camaudit.data.endpoints import load_endpoints
from camaudit.identify import identify
from camaudit.model import FindingKind
from camaudit.sources.passive.pcap import read_capture
from camaudit.sources.passive.summary import Locality, Traffic, TrafficSummary, neighbour_observations
from camaudit.traffic.egress import DeviceTraffic, Policy, analyse
from camaudit.traffic.geo import BundledGeo, Place, TableGeo

# The documentation ranges have no country in any GeoIP table: a site table (as a user could give)
# places them, falling back to geoip2fast's bundled data for everything else.
SITE_GEO = TableGeo(
    {
        "203.0.113.0/24": Place("CN", "Example Cloud (Hangzhou)", "203.0.113.0/24"),
        "198.51.100.0/24": Place("SG", "Example Transit", "198.51.100.0/24"),
        "192.0.2.0/24": Place("GB", "Example NTP", "192.0.2.0/24"),
    },
    fallback=BundledGeo(),
)


def _traffic(tmp_path: Path, locality: Locality | None = None) -> Traffic:
    summary = TrafficSummary(locality)
    read_capture(cap.write_pcap(tmp_path / "estate.pcap", cap.estate()), summary)
    return summary.finish()


def _analyse(tmp_path: Path, policy: Policy | None = None, **kw: object) -> dict[str, DeviceTraffic]:
    policy = policy or Policy()
    locality = Locality(internal=policy.closed_networks)
    traffic = _traffic(tmp_path, locality)
    devices = identify([*traffic.observations, *neighbour_observations(traffic)])
    found = analyse(traffic, devices, geo=SITE_GEO, table=load_endpoints(), policy=policy, **kw)  # type: ignore[arg-type]
    return {dt.device.ip: dt for dt in found}


def _classes(dt: DeviceTraffic) -> dict[str, tuple[str | None, str | None]]:
    return {
        e.destination.remote: (e.match.endpoint.id if e.match else None, e.match.by if e.match else None)
        for e in dt.egress
    }


def test_cameras_only_by_default_and_passively_identified(tmp_path: Path) -> None:
    found = _analyse(tmp_path)
    assert sorted(found) == [cap.HIK, cap.DAHUA, cap.CLOSED_CAM]
    hik, dahua = found[cap.HIK].device, found[cap.DAHUA].device
    assert (hik.manufacturer, hik.device_type, hik.model, hik.mac) == (
        "hikvision",
        "ip_camera",
        "DS-2CD2042WD-I",
        cap.HIK_MAC,
    )
    assert (dahua.manufacturer, dahua.model, dahua.mac) == ("dahua", "IPC-HDW5231R-ZE", cap.DAHUA_MAC)


def test_each_destination_is_classified_by_the_right_tell(tmp_path: Path) -> None:
    found = _analyse(tmp_path)
    assert _classes(found[cap.HIK]) == {
        cap.EZVIZ_REG: ("hik-ezviz-cloud", "name"),
        cap.EZVIZ_MQTT: ("hik-ezviz-cloud", "port"),
        cap.EZVIZ_STUN: ("hik-ezviz-cloud", "port"),
        cap.NTP: ("ntp-pool", "port"),
    }
    assert _classes(found[cap.DAHUA]) == {
        cap.P2P: ("dahua-easy4ip-p2p", "name"),
        cap.RELAY: ("dahua-easy4ip-p2p", "prefix"),
    }


def test_a_bare_vendor_port_says_nothing_about_another_makers_device(tmp_path: Path) -> None:
    found = _analyse(tmp_path, all_devices=True)
    assert _classes(found[cap.PC]) == {cap.WEB: (None, None), cap.EZVIZ_MQTT: (None, None)}
    assert not [f for f in found[cap.PC].device.findings if f.check_id.startswith("egress-vendor")]


def test_vendor_cloud_finding_carries_volumes_and_evidence(tmp_path: Path) -> None:
    found = _analyse(tmp_path)
    (cloud,) = [
        f for f in found[cap.HIK].device.findings if f.check_id == "egress-vendor-cloud-hik-ezviz-cloud"
    ]
    assert cloud.kind is FindingKind.EGRESS and cloud.verified is False
    # 720 (tcp/8666) + 82 (MQTT CONNECT) + 59 (STUN)
    assert (cloud.details["bytes_up"], cloud.details["bytes_down"], cloud.details["destinations"]) == (
        "861",
        "280",
        "3",
    )
    assert {ev.value for ev in cloud.evidence} == {
        "203.0.113.10 tcp/8666 (litedev.ezvizlife.com)",
        "203.0.113.11 tcp/31006",
        "198.51.100.7 udp/31007",
    }
    assert cloud.references == ("https://seanblanchfield.com/ezviz-db1-doorbell-deepdive-homeassistant",)


def test_vendor_dns_lookup_without_a_flow(tmp_path: Path) -> None:
    found = _analyse(tmp_path)
    (dns,) = [f for f in found[cap.DAHUA].device.findings if f.check_id == "egress-vendor-dns"]
    assert dns.details["names"] == "www.imoulife.com"
    assert [ev.rule_id for ev in dns.evidence] == ["imou-cloud"]
    assert not [f for f in found[cap.HIK].device.findings if f.check_id == "egress-vendor-dns"]


def test_countries_outside_the_allowed_list(tmp_path: Path) -> None:
    found = _analyse(tmp_path, Policy(allowed_countries=frozenset({"GB", "IE"})))
    hik = {f.details.get("country"): f for f in found[cap.HIK].device.findings if "country" in f.check_id}
    assert sorted(hik) == ["CN", "SG"]
    assert hik["CN"].status == "violates" and hik["CN"].details["bytes_up"] == "802"
    assert {e.destination.remote: e.place.country for e in found[cap.HIK].egress}[cap.NTP] == "GB"
    dahua = {
        f.details.get("country"): f.status
        for f in found[cap.DAHUA].device.findings
        if "country" in f.check_id
    }
    assert dahua == {"SG": "violates", "unknown": "undetermined"}  # 198.18.0.0/15 has no country


def test_closed_network_violated_and_upheld(tmp_path: Path) -> None:
    policy = Policy(closed_networks=(__import__("ipaddress").ip_network("192.168.2.0/24"),))
    found = _analyse(tmp_path, policy)
    upheld = [f for f in found[cap.CLOSED_CAM].device.findings if f.check_id == "egress-closed-network"]
    assert [(f.status, f.severity.value) for f in upheld] == [("upheld", "info")]
    assert found[cap.CLOSED_CAM].closed_network == "upheld"
    policy = Policy(closed_networks=(__import__("ipaddress").ip_network("192.168.1.0/24"),))
    found = _analyse(tmp_path, policy)
    violated = [f for f in found[cap.DAHUA].device.findings if f.check_id == "egress-closed-network"]
    assert [(f.status, f.details["destinations"], f.details["bytes_up"]) for f in violated] == [
        ("violates", "2", "4181")
    ]
    assert cap.PC in found  # a closed network's every device is checked, camera or not
    assert found[cap.PC].closed_network == "violated"


@pytest.mark.parametrize(("threshold", "expected"), [(4112, [cap.RELAY]), (4113, [])])
def test_large_upload_threshold(tmp_path: Path, threshold: int, expected: list[str]) -> None:
    found = _analyse(tmp_path, Policy(upload_threshold=threshold))
    big = [f for f in found[cap.DAHUA].device.findings if f.check_id == "egress-large-upload"]
    assert [f.evidence[0].value.split()[0] for f in big] == expected


def test_owner_classifies_when_nothing_else_does() -> None:
    table = load_endpoints()
    assert table.by_owner("Hangzhou Alibaba Advertising Co.,Ltd.").endpoint.id == "alibaba-cloud"  # type: ignore[union-attr]
    assert table.by_owner("Example Transit") is None
