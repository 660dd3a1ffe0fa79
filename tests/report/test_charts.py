"""Bar geometry for the inline SVG charts."""

from __future__ import annotations

from camaudit.report.charts import BAR_AREA, MAX_LABEL, bar_chart


def test_bars_scale_to_the_largest_count_and_cut_long_labels() -> None:
    chart = bar_chart(
        [{"name": "Hikvision", "count": 8}, {"name": "x" * 60, "count": 2}, {"name": "n", "count": 0}]
    )
    widths = [b["width"] for b in chart["bars"]]
    assert widths == [BAR_AREA, BAR_AREA // 4, 0]
    assert len(chart["bars"][1]["label"]) == MAX_LABEL and chart["bars"][1]["label"].endswith("…")
    assert chart["height"] == 3 * (chart["bar_height"] + 6)


def test_an_empty_chart_has_no_bars() -> None:
    assert bar_chart([])["bars"] == []
