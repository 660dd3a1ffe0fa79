"""The census as one self-contained HTML page: tables, bar charts as inline SVG, the method written out.

No script and no network: the charts are SVG drawn by the template (`camaudit.report.charts`), the
style is inline. Jinja2 autoescapes every string (device banners and organisation names are hostile).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from camaudit.census import CensusResult
from camaudit.census.rollup import UNITS, Table
from camaudit.report.charts import bar_chart
from camaudit.version import __version__

TOP = 15
# Chart name -> (dimension, title): what the issue asks a national count to show.
VIEWS = {
    "country": "Top countries",
    "city": "Top cities",
    "org": "Top networks (owner)",
    "manufacturer": "Makers (true manufacturer)",
    "brand": "Brands on the label (rebrands)",
    "kev": "CISA KEV exposure",
    "firmware_year": "Firmware age (build year)",
}
_TEMPLATE = Path(__file__).resolve().parents[1] / "report" / "templates" / "census.html"


def _chart(table: Table, unit: str) -> dict[str, Any]:
    dim = table.by[0]
    rows = [{"name": r[dim] or "(unknown)", "count": r[unit]} for r in table.rows]
    rows.sort(key=lambda r: -int(r["count"]))
    return bar_chart(rows[:TOP])


def render(result: CensusResult, unit: str = "addresses") -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(_TEMPLATE.read_text(encoding="utf-8"))
    charts = [
        {"title": title, "chart": _chart(result.views[name], unit)}
        for name, title in VIEWS.items()
        if name in result.views
    ]
    return template.render(
        version=__version__,
        by=result.table.by,
        rows=result.table.rows,
        units=UNITS,
        totals=result.table.totals,
        skipped=result.skipped,
        records=result.records,
        method=result.method.splitlines(),
        charts=charts,
        unit=unit,
    )
