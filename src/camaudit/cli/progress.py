"""The terminal side of a running scan: one live progress line on stderr, one line per device found.

    sweep ━━━━━━━━━╸━━━━━━━━━━  48%  24 answering · 18 identified · 12 findings · 1,350/s · about 0:05 left
    127.42.0.5  Hikvision (sold as LTS)  DS-2CD2043G2-I  V5.7.3  IP camera  2 findings (1 high)

The engine only updates counters (`pipeline.progress.ScanProgress`); the line is drawn from them a few
times a second. Device text is hostile: every line goes through `render.visible`. With ``-q`` nothing is
shown while scanning; with ``-v`` every host that answered gets a line, identified or not. When stderr is
not a terminal there is no live line, only the device lines.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from camaudit.cli.render import visible
from camaudit.model import Device
from camaudit.pipeline.progress import ScanProgress
from camaudit.report.views.names import device_line, identified
from camaudit.sources.active import HostResult

QUIET, NORMAL, VERBOSE = -1, 0, 1


def clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def status_text(p: ScanProgress, now: float | None = None) -> str:
    """The counters after the bar: what answered, what is named, how fast, how long."""
    t = p.tally
    parts = [f"{len(t.answering)} answering", f"{p.identified} identified", f"{p.findings} findings"]
    if p.resumed_hosts:
        parts.insert(0, f"{p.resumed_hosts} hosts from the earlier run")
    rate = p.rate()
    if rate:
        parts.append(f"{rate:,.0f} conn/s")
    eta = p.eta(now)
    parts.append(f"about {clock(eta)} left" if eta is not None else "estimating time left")
    return " · ".join(parts)


class _Line:
    """A renderable redrawn on every refresh from the live counters."""

    def __init__(self, progress: ScanProgress) -> None:
        self.progress = progress

    def __rich__(self) -> RenderableType:
        p = self.progress
        grid = Table.grid(padding=(0, 1))
        grid.add_row(
            Text(f"{p.phase:<9}", style="bold"),
            ProgressBar(total=100, completed=round(p.fraction * 100), width=24),
            Text(f"{p.fraction:4.0%}"),
            Text(status_text(p)),
        )
        return Group(grid)


class ScanDisplay:
    """Device lines as hosts complete, under a live progress line (see the module docstring)."""

    def __init__(self, err: Console, progress: ScanProgress, verbosity: int = NORMAL) -> None:
        self.err = err
        self.progress = progress
        self.verbosity = verbosity
        self.lines = 0

    def on_host(self, host: HostResult, devices: Sequence[Device]) -> None:
        if self.verbosity <= QUIET:
            return
        for device in devices:
            if identified(device) or self.verbosity >= VERBOSE:
                self.err.print(visible(device_line(device)), highlight=False, soft_wrap=True)
                self.lines += 1

    @contextmanager
    def live(self) -> Iterator[ScanDisplay]:
        """The live line while the block runs (only on a terminal, and not with -q)."""
        if self.verbosity <= QUIET or not self.err.is_terminal:
            yield self
            return
        with Live(_Line(self.progress), console=self.err, refresh_per_second=4, transient=True):
            yield self

    def elapsed(self) -> float:
        return time.monotonic() - self.progress.started
