"""kill -9 in the middle of `camaudit import`, twice (issue 13): the register stays valid, nothing it had
committed is lost, and `--resume` ends with the devices of an uninterrupted import. `make soak` runs the
same with 10 kills of a larger file (tests/soak/test_kill_import.py)."""

from __future__ import annotations

import random
from pathlib import Path

from tests.soak.test_kill_import import kill_import_runs


def test_kill_9_import_twice_then_resume(tmp_path: Path) -> None:
    figures = kill_import_runs(tmp_path, runs=2, hosts=400, seed=random.SystemRandom().randrange(1 << 30))
    assert len(figures["runs"]) == 2
