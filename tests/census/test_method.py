from __future__ import annotations

from camaudit.census.method import method_text


def test_method_names_the_record_set_units_sources_and_limits() -> None:
    text = method_text(("gb.json.gz",), "product:hikvision country:GB", 7, 10, 2)
    assert "query: product:hikvision country:GB" in text and "gb.json.gz" in text
    assert "10 records read, 2 skipped" in text and "7-day window" in text
    assert "NAT" in text and "recorder" in text and "GeoLite2" in text and "No city data is bundled" in text
