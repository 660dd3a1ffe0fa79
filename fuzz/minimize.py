"""Shrink a target's corpus to the inputs that keep its coverage: `python fuzz/minimize.py [TARGET ...]`.

libFuzzer's own `-merge=1` re-runs argv[0] as a program, which a Python harness is not, so this does the
same job with Python's tracer: every input runs once (seeds and crash inputs first, then the rest from
the smallest up) and is kept only if it takes a line-to-line step in camaudit's code that no input kept
before it took. Seeds (`seed-*`) and crash inputs (`crash-*`) are always kept.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from types import FrameType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from targets import TARGETS

CORPUS = Path(__file__).resolve().parent / "corpus"
PACKAGE = str(Path(__file__).resolve().parent.parent / "src" / "camaudit")

Arc = tuple[str, int, int]
MAX_FILES, MAX_BYTES = 300, 256 * 1024  # per target, as tests/test_fuzz_corpus.py checks


def _arcs(target: Any, allowed: tuple[type[BaseException], ...], data: bytes) -> set[Arc]:
    arcs: set[Arc] = set()
    last: dict[int, int] = {}

    def local(frame: FrameType, event: str, _arg: Any) -> Any:
        if event == "line":
            key = id(frame)
            arcs.add((frame.f_code.co_filename, last.get(key, -1), frame.f_lineno))
            last[key] = frame.f_lineno
        return local

    def call(frame: FrameType, event: str, _arg: Any) -> Any:
        return local if event == "call" and frame.f_code.co_filename.startswith(PACKAGE) else None

    sys.settrace(call)
    try:
        with contextlib.suppress(*allowed):
            target(data)
    finally:
        sys.settrace(None)
    return arcs


def minimize(name: str) -> tuple[int, int, int, int]:
    """Keep the covering inputs of one target; returns (files before, after, bytes before, after)."""
    target, allowed = TARGETS[name]
    folder = CORPUS / name
    files = sorted(
        folder.iterdir(), key=lambda p: (not p.name.startswith(("seed-", "crash-")), p.stat().st_size)
    )
    before = sum(p.stat().st_size for p in files)
    seen: set[Arc] = set()
    kept: list[Path] = []
    for path in files:
        arcs = _arcs(target, allowed, path.read_bytes())
        if path.name.startswith(("seed-", "crash-")) or (not arcs <= seen and _fits(kept, path)):
            seen |= arcs
            kept.append(path)
        else:
            path.unlink()
    return len(files), len(kept), before, sum(p.stat().st_size for p in kept)


def _fits(kept: list[Path], path: Path) -> bool:
    """Within tests/test_fuzz_corpus.py's limits. Inputs come smallest first, so a target whose covering
    inputs exceed them (the census runs all of identification) keeps the smallest that fit."""
    size = sum(p.stat().st_size for p in kept) + path.stat().st_size
    return len(kept) < MAX_FILES and size <= MAX_BYTES


def main() -> None:
    for name in sys.argv[1:] or list(TARGETS):
        n, k, b, a = minimize(name)
        print(f"{name}: {n} -> {k} inputs, {b} -> {a} bytes")


if __name__ == "__main__":
    main()
