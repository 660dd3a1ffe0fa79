"""The report as JSON: the view-model itself, versioned by its ``schema`` (``camaudit.report/1``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def render(view: Mapping[str, Any]) -> str:
    return json.dumps(view, indent=2, ensure_ascii=False) + "\n"


def write(view: Mapping[str, Any], path: Path) -> tuple[Path, ...]:
    path.write_text(render(view), encoding="utf-8")
    return (path,)
