"""The report as one self-contained HTML file: inline CSS, inline SVG charts, one inline script.

No URL is loaded from anywhere. The Content-Security-Policy is ``default-src 'none'`` and allows exactly
our stylesheet and our sorting script by their SHA-256 hashes (CSP Level 2 "hash-source"), so even a
device string that slipped through escaping could not run. Jinja2 autoescapes every value: everything a
device sent is hostile (the lab's `<script>` device proves it).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import ipaddress
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from camaudit.model import Severity
from camaudit.report.charts import charts

_SEVERITY_RANK = {s.value: i for i, s in enumerate(Severity)}


def _ip_sort(ip: str) -> str:
    """A number that sorts addresses numerically in the table (IPv4 before IPv6)."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    return str(int(addr) + (0 if addr.version == 4 else 2**32))


def _breakable(value: object) -> Markup:
    """Escaped text that may wrap after '.', '_', '-' or '/' (a firmware string such as
    "2.800.0000016.0.R" otherwise breaks mid-number in a narrow PDF column)."""
    return Markup(re.sub(r"([._/-])", r"\1<wbr>", str(escape(str(value)))))  # noqa: S704 - escaped first


@functools.cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("camaudit.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    env.filters["ip_sort"] = _ip_sort
    env.filters["breakable"] = _breakable
    return env


@functools.cache
def _asset(name: str) -> str:
    return resources.files("camaudit.report").joinpath("templates", name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(css: str, js: str) -> str:
    return (
        f"default-src 'none'; style-src {csp_hash(css)}; script-src {csp_hash(js)}; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )


def render(view: Mapping[str, Any]) -> str:
    css, js = _asset("report.css"), _asset("report.js")
    return (
        _env()
        .get_template("report.html")
        .render(
            **view,
            charts=charts(view),
            severity_rank=_SEVERITY_RANK,
            csp=content_security_policy(css, js),
            css=Markup(css),  # noqa: S704 - our own packaged stylesheet, not device data
            js=Markup(js),  # noqa: S704 - our own packaged script, not device data
        )
    )


def write(view: Mapping[str, Any], path: Path) -> tuple[Path, ...]:
    path.write_text(render(view), encoding="utf-8")
    return (path,)
