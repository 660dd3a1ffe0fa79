"""A self-contained HTML page for one scan: device table and the evidence behind each verdict.

Everything a device sent is hostile: Jinja2 autoescapes every value (the lab's `<script>` device proves it).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from camaudit.pipeline import ScanResult, device_json

_ENV = Environment(
    loader=PackageLoader("camaudit.report", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def scan_view(result: ScanResult) -> dict[str, Any]:
    """The view-model: plain dicts, built once, shared by every rendering."""
    devices = [device_json(d) for d in result.devices if d.ports or d.manufacturer]
    return {
        "audit": {
            "id": result.audit.id,
            "started": result.audit.started.isoformat(timespec="seconds"),
            "targets": list(result.audit.options.get("targets", [])),
            "version": result.audit.version,
        },
        "devices": devices,
        "by_manufacturer": Counter(d["manufacturer"] or "unknown" for d in devices).most_common(),
        "rebrands": [
            d for d in devices if d["brand"] and d["manufacturer"] and d["brand"] != d["manufacturer"]
        ],
        "failed_attempts": len(result.attempts),
    }


def render_html(result: ScanResult) -> str:
    return _ENV.get_template("scan.html").render(**scan_view(result))


def write_html(result: ScanResult, path: Path) -> None:
    path.write_text(render_html(result), encoding="utf-8")
