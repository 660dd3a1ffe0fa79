"""Report formats: each renders the one view-model (`report.views.build_view`) to a file.

FORMATS = (html, pdf, csv, json)   `camaudit report --format NAME -o FILE`
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Writer = Callable[[Mapping[str, Any], Path], tuple[Path, ...]]


@dataclass(frozen=True, slots=True)
class Format:
    """A report format: its name, usual file suffix, and the function that writes it (returns the files)."""

    name: str
    suffix: str
    write: Writer


def _formats() -> tuple[Format, ...]:
    from camaudit.report.formats import csv, html, json, pdf

    return (
        Format("html", ".html", html.write),
        Format("pdf", ".pdf", pdf.write),
        Format("csv", ".csv", csv.write),
        Format("json", ".json", json.write),
    )


FORMATS: tuple[Format, ...] = _formats()
BY_NAME = {f.name: f for f in FORMATS}
