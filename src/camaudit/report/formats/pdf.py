"""The report as PDF: the same HTML rendered by WeasyPrint (A4, page numbers from the stylesheet's
``@page`` margin boxes). WeasyPrint runs no JavaScript, which is why the charts are SVG.

Nothing is fetched while rendering: the URL fetcher refuses every URL (the HTML has none anyway).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from camaudit.report.formats import html


def _no_fetch(url: str, *_args: Any, **_kwargs: Any) -> NoReturn:
    raise ValueError(f"the report refuses to fetch {url[:80]!r}: it must be self-contained")


def render(view: Mapping[str, Any]) -> bytes:
    import weasyprint  # imported here: it loads pango, which `camaudit scan` never needs

    # WeasyPrint logs every CSS property it does not know (e.g. `overflow-wrap` on old versions) as a
    # warning; those are about screen styling and are not the user's concern.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html.render(view), url_fetcher=_no_fetch)
    pdf: bytes = document.write_pdf()
    return pdf


def write(view: Mapping[str, Any], path: Path) -> tuple[Path, ...]:
    path.write_bytes(render(view))
    return (path,)
