"""Census dimensions of one record: verdict, build year, KEV state, device key, offline place, window."""

from __future__ import annotations

from datetime import UTC, datetime

from camaudit.census.classify import Classifier, Verdict, device_key, firmware_year, kev_state, verdict_of
from camaudit.model import Device
from camaudit.sources.imports import Record
from camaudit.sources.imports._base import observation


def test_firmware_year() -> None:
    assert firmware_year("V5.4.5 build 170124") == "2017"
    assert firmware_year("V5.4.5 build 171324") == ""  # month 13: not a date
    assert firmware_year("2.800.0000000.16.R") == ""


def test_device_key_prefers_stable_identifiers() -> None:
    v = Verdict(manufacturer="hikvision", serial="DS-2CD2042WD-I20170101AAWR123")
    assert device_key("1.2.3.4", v, "aa:bb:cc:00:11:22", "ff") == "mac:aa:bb:cc:00:11:22"
    assert device_key("1.2.3.4", v, "", "ff").startswith("serial:hikvision:")
    assert device_key("1.2.3.4", Verdict(), "", "ff") == "cert:ff"
    assert device_key("1.2.3.4", Verdict(), "", "") == "ip:1.2.3.4"


def test_kev_state() -> None:
    old = Device(
        ips=("1.2.3.4",),
        manufacturer="hikvision",
        model="DS-2CD2042WD-I",
        firmware="V5.4.0 build 160530",
        device_type="ip_camera",
    )
    assert kev_state(old) == "affected"  # CVE-2017-7921 (CISA KEV) range
    assert kev_state(Device(ips=("1.2.3.4",), manufacturer="hikvision")) == "possible"
    assert kev_state(Device(ips=("1.2.3.4",))) == ""


def test_a_record_counted_with_offline_place_and_window() -> None:
    when = datetime(2025, 12, 9, 10, tzinfo=UTC)
    obs = observation(
        "import:shodan",
        "8.8.8.8",
        80,
        "http.response",
        {"http.header.server": "DNVRS-Webs"},
        protocol="http",
        when=when,
    )
    record = Record("8.8.8.8", (obs,), "line 1", {"city": "Mountain View"}, when)
    counted = Classifier(30).counted(record)
    country, city, _, org, maker = counted.dims[:5]
    assert (city, maker) == ("Mountain View", "hikvision") == (city, verdict_of([obs]).manufacturer)
    assert country == "US" and "google" in org.lower()  # geoip2fast's bundled table, no network
    assert counted.window == int(datetime(2025, 12, 8, tzinfo=UTC).timestamp())
    assert Classifier(30, offline_geo=False).counted(record).dims[0] == ""
