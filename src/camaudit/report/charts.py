"""Bar charts as geometry for inline SVG: the template draws them, so labels are autoescaped.

SVG rather than a JavaScript chart library because the PDF renderer runs no JavaScript and the HTML
must open with no network: one drawing serves both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 200
BAR_AREA = 300
MAX_LABEL = 26  # characters; longer labels are cut (the tables carry the full text)
SEVERITY_COLOURS = {
    "critical": "#7b1113",
    "high": "#c0392b",
    "medium": "#e67e22",
    "low": "#f1c40f",
    "info": "#7f8c8d",
}


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def bar_chart(rows: Sequence[Mapping[str, Any]], colours: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Rows of ``{"name", "count"}`` -> bars with coordinates, in the order given."""
    top = max((int(r["count"]) for r in rows), default=0) or 1
    bars = []
    for i, row in enumerate(rows):
        count = int(row["count"])
        bars.append(
            {
                "label": _label(str(row["name"])),
                "count": count,
                "y": i * (BAR_HEIGHT + GAP),
                "width": max(1, round(BAR_AREA * count / top)) if count else 0,
                "colour": (colours or {}).get(str(row["name"]), "#2c6e91"),
            }
        )
    return {
        "bars": bars,
        "height": max(1, len(bars)) * (BAR_HEIGHT + GAP),
        "width": LABEL_WIDTH + BAR_AREA + 50,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }


def charts(view: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "manufacturer": bar_chart(view["by_manufacturer"]),
        "brand": bar_chart(view["by_brand"]),
        "severity": bar_chart(view["findings_by_severity"], SEVERITY_COLOURS),
    }
