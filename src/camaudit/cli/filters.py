"""The device and finding filters `camaudit devices` and `camaudit findings` share (click options)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from camaudit.cli.outputs import SEVERITIES
from camaudit.report.views.filters import Filter

F = TypeVar("F", bound=Callable[..., Any])


def filter_options(function: F) -> F:
    """--maker, --brand, --type, --site, --severity, --kev, --check (each narrows the list)."""
    for option in reversed(
        (
            click.option("--maker", metavar="NAME", help="True manufacturer (id or name, e.g. hikvision)."),
            click.option("--brand", metavar="NAME", help="Label brand (e.g. lorex)."),
            click.option("--type", "device_type", metavar="TYPE", help="Device type (e.g. nvr, ip_camera)."),
            click.option("--site", metavar="NAME", help="Site, as set with annotate or the spreadsheet."),
            click.option(
                "--severity",
                type=click.Choice(SEVERITIES, case_sensitive=False),
                help="Findings of this severity or worse (devices: with such a finding).",
            ),
            click.option("--kev", is_flag=True, help="Only findings on CISA's Known Exploited list."),
            click.option("--check", metavar="ID", help="One check id (e.g. cve-2017-7921)."),
        )
    ):
        function = option(function)
    return function


def make_filter(options: dict[str, Any]) -> Filter:
    """The Filter from the options above (popped from `options`)."""
    names = ("maker", "brand", "device_type", "site", "severity", "kev", "check")
    values = {name: options.pop(name) for name in names}
    if values["severity"] is not None:
        values["severity"] = values["severity"].lower()
    return Filter(**values)
