from __future__ import annotations

from camaudit.web.charts import progress_chart


def test_progress_falls_as_devices_go() -> None:
    history = [
        {"audit": "a" * 32, "started": "2026-01-01T00:00:00", "covered_present": n} for n in (10, 6, 0)
    ]
    chart = progress_chart(history, 10)
    ys = [p["y"] for p in chart["points"]]
    assert ys[0] < ys[1] < ys[2] == chart["baseline"]
    assert [p["label"] for p in chart["points"]] == ["2026-01-01"] * 3 and chart["polyline"].count(",") == 3


def test_one_audit_is_one_point_in_the_middle() -> None:
    chart = progress_chart([{"audit": "a", "started": "2026-01-01", "covered_present": 0}], 0)
    assert len(chart["points"]) == 1 and chart["top"] == 1
