"""The kept fuzz corpus: within the limits of fuzz/corpus/README.md, and every input in it (seeds, the
inputs a run found, and each crash-* that once broke a parser) still ends in the target's documented error
or in a result, never in anything else."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
CORPUS = FUZZ / "corpus"
sys.path.insert(0, str(FUZZ))
from targets import TARGETS  # noqa: E402 (fuzz/ is not a package)

MAX_FILES = 300
MAX_BYTES = 256 * 1024
MAX_INPUT = 65536


def _inputs(name: str) -> list[Path]:
    return sorted(p for p in (CORPUS / name).iterdir() if p.is_file())


def test_every_corpus_folder_is_a_target() -> None:
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert folders == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_corpus_within_limits(name: str) -> None:
    files = _inputs(name)
    assert any(p.name.startswith("seed-") for p in files), f"{name}: no seed input"
    assert len(files) <= MAX_FILES, f"{name}: {len(files)} inputs, run make fuzz-minimize"
    assert sum(p.stat().st_size for p in files) <= MAX_BYTES, f"{name}: run make fuzz-minimize"
    big = [p.name for p in files if not p.name.startswith("seed-") and p.stat().st_size > MAX_INPUT]
    assert not big, f"{name}: inputs above -max_len: {big}"


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_corpus_replays_without_crash(name: str) -> None:
    target, allowed = TARGETS[name]
    for path in _inputs(name):
        data = path.read_bytes()
        try:
            target(data)
        except allowed:
            pass
        except Exception as exc:  # any other type is the crash this test catches
            pytest.fail(f"{path.relative_to(FUZZ)}: {type(exc).__name__}: {exc}")
