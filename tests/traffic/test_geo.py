"""Offline country and network owner (geoip2fast's bundled data; nothing downloaded)."""

from __future__ import annotations

from camaudit.traffic.geo import BundledGeo, Place, TableGeo


def test_bundled_geo_gives_country_and_owner_offline() -> None:
    geo = BundledGeo()
    assert geo.lookup("8.8.8.8") == Place("US", "GOOGLE", "8.8.8.0/24")
    assert geo.lookup("203.0.113.9") == Place()
    assert geo.lookup("2001:db8::1") == Place()


def test_a_site_table_overrides_and_falls_back() -> None:
    geo = TableGeo(
        {
            "203.0.113.0/24": Place("GB", "Our ISP", "203.0.113.0/24"),
            "203.0.113.128/25": Place("IE", "Our other ISP", "203.0.113.128/25"),
        },
        fallback=BundledGeo(),
    )
    assert geo.lookup("203.0.113.200").country == "IE"  # the longest prefix wins
    assert geo.lookup("203.0.113.1").country == "GB"
    assert geo.lookup("8.8.8.8").country == "US"
