"""Charts as geometry for inline SVG, drawn by the templates (labels autoescaped, no script, no CDN).

Bars are the report's (`report.charts.bar_chart`); the removal progress over audits is a line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from camaudit.report.charts import SEVERITY_COLOURS, bar_chart

WIDTH, HEIGHT, PAD = 560, 200, 36

__all__ = ["SEVERITY_COLOURS", "bar_chart", "progress_chart"]


def progress_chart(history: Sequence[Mapping[str, Any]], covered: int) -> dict[str, Any]:
    """The plan's history (covered devices still present, per audit) as points of a line.

    `covered` is how many devices the plan covers: the y axis runs from 0 to it, so a falling line is
    removal progress.
    """
    top = max([covered, *(int(h["covered_present"]) for h in history)]) or 1
    n = len(history)
    step = (WIDTH - 2 * PAD) / max(1, n - 1)
    points = []
    for i, h in enumerate(history):
        x = PAD + (i * step if n > 1 else (WIDTH - 2 * PAD) / 2)
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * int(h["covered_present"]) / top
        points.append({"x": round(x, 1), "y": round(y, 1), "value": int(h["covered_present"]),
                       "label": str(h["started"])[:10], "audit": str(h["audit"])[:8]})  # fmt: skip
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "pad": PAD,
        "top": top,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "baseline": HEIGHT - PAD,
    }
