"""The live line and the device lines: counters in words, hostile text made inert, -q and -v."""

from __future__ import annotations

from rich.console import Console

from camaudit.cli.progress import NORMAL, QUIET, VERBOSE, ScanDisplay, clock, status_text
from camaudit.model import Device, Finding, FindingKind, Severity
from camaudit.pipeline.progress import ScanProgress
from camaudit.sources.active import HostResult, Tally


def test_status_text_counts_what_answered_and_what_is_named() -> None:
    p = ScanProgress(tally=Tally(hosts=10, reach_planned=100, reach_done=50, answering={"a", "b"}),
                     stage="hosts", identified=1, findings=3, started=0.0, rate=lambda: 1500.0)  # fmt: skip
    text = status_text(p, now=4.0)
    assert text == "2 answering · 1 identified · 3 findings · 1,500 conn/s · about 0:06 left"
    assert clock(3725) == "1:02:05"


def _display(verbosity: int) -> tuple[ScanDisplay, Console]:
    console = Console(record=True, width=300)
    return ScanDisplay(console, ScanProgress(), verbosity), console


def test_one_line_per_identified_device_and_hostile_text_is_inert() -> None:
    finding = Finding("cve-x", FindingKind.VULNERABILITY, Severity.HIGH, "t", status="affected")
    named = Device(ips=("127.0.0.5",), brand="lts", manufacturer="hikvision", model="[red]x\x1b[2J",
                   firmware="V5.7.3", device_type="ip_camera", findings=(finding,))  # fmt: skip
    silent = Device(ips=("127.0.0.6",))
    display, console = _display(NORMAL)
    display.on_host(HostResult("127.0.0.5"), [named, silent])
    text = console.export_text()
    assert text.strip() == (
        "127.0.0.5  Hikvision (sold as LTS)  [red]x\\x1b[2J  V5.7.3  IP camera  1 finding (1 high)"
    )
    display, console = _display(VERBOSE)
    display.on_host(HostResult("127.0.0.6"), [silent])
    assert "127.0.0.6  not identified  no findings" in console.export_text()
    display, console = _display(QUIET)
    display.on_host(HostResult("127.0.0.5"), [named])
    assert console.export_text() == ""


def test_no_live_line_off_a_terminal() -> None:
    display, console = _display(NORMAL)
    with display.live():
        pass
    assert console.export_text() == ""
