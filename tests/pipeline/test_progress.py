"""The phase, share done and time left a progress line shows, from the live counters."""

from __future__ import annotations

import pytest

from camaudit.pipeline.progress import ScanProgress
from camaudit.sources.active import Tally


def _progress(reach: int, done: int, stage: str = "hosts") -> ScanProgress:
    tally = Tally(hosts=100, reach_planned=1000, reach_done=reach, hosts_done=done)
    return ScanProgress(tally=tally, stage=stage, started=0.0)


def test_phase_is_the_earliest_stage_still_running() -> None:
    assert _progress(500, 10).phase == "sweep"
    assert _progress(1000, 10).phase == "probing"
    assert _progress(1000, 100).phase == "assessing"
    assert _progress(0, 0, "discovery").phase == "discovery"
    assert _progress(1000, 100, "recording").phase == "recording"


def test_the_share_done_moves_with_the_sweep_not_only_with_finished_hosts() -> None:
    assert _progress(500, 0).fraction == 0.4  # the bar is not stuck at 0 while no host has finished
    assert _progress(1000, 50).fraction == 0.9
    assert _progress(0, 0, "done").fraction == 1.0


def test_time_left_is_estimated_from_the_pace_so_far() -> None:
    assert _progress(10, 0).eta(now=5.0) is None  # too early to tell
    assert _progress(500, 0).eta(now=4.0) == pytest.approx(6.0)
    assert _progress(1000, 100).eta(now=9.0) == 0.0
