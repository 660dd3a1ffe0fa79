"""The real-world corpus holds, and identification on it does not fall back.

Floors are the figures measured when they were last raised (bench/identify_corpus.py prints them);
raise them when identification improves, never lower them to make a change pass. The issue's
targets are precision >= 0.995 (held here), recall >= 0.95, rebrands >= 0.95, brand >= 0.9.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus

FLOORS = {"precision": 0.995, "recall": 0.82, "rebrands": 0.82, "brand": 0.69}
HELD_OUT_FLOORS = {"recall": 0.76}


@pytest.fixture(scope="module")
def results() -> list[corpus.Outcome]:
    return corpus.outcomes()


def test_the_corpus_is_large_real_and_cited() -> None:
    cases = corpus.load()
    assert len(cases) >= 1000
    assert sum(not c.camera for c in cases) >= 300
    assert all(c.source.startswith("https://") for c in cases)
    makers = Counter(c.maker for c in cases if c.camera and c.maker)
    assert len(makers) >= 40, makers


def test_a_bad_case_is_refused_with_file_and_line(tmp_path: Path) -> None:
    good = json.loads(corpus.load()[0].raw_line)
    (tmp_path / "a.jsonl").write_text(
        json.dumps(good) + "\n" + json.dumps({**good, "published": "maybe"}) + "\n"
    )
    with pytest.raises(corpus.CorpusError, match=r"a\.jsonl:2: published"):
        corpus.load(tmp_path)
    (tmp_path / "a.jsonl").write_text(json.dumps(good) + "\n")
    (tmp_path / "b.jsonl").write_text(json.dumps(good) + "\n")
    with pytest.raises(corpus.CorpusError, match="duplicate id"):
        corpus.load(tmp_path)


def test_figures_do_not_fall_back(results: list[corpus.Outcome]) -> None:
    f = corpus.figures(results)
    got = {"precision": f.precision, "recall": f.recall, "rebrands": f.rebrand_rate, "brand": f.brand_rate}
    assert {k: round(v, 3) for k, v in got.items() if v < FLOORS[k]} == {}
    assert f.negatives_as_camera == 0  # no non-camera ever named a camera maker or typed a camera


def test_held_out_figures_do_not_fall_back(results: list[corpus.Outcome]) -> None:
    held = corpus.figures([o for o in results if corpus.held_out(o.case.id)])
    assert held.recall >= HELD_OUT_FLOORS["recall"]
    assert held.negatives_as_camera == 0


def test_every_miss_has_a_reason(results: list[corpus.Outcome]) -> None:
    reasons = {o.why for o in results if o.why}
    assert reasons <= {"parse failure", "no vendor", "no rule", "wrong maker", "too weak or conflicting",
                       "rule names another maker"}  # fmt: skip


def test_the_command_judges_a_corpus_file_as_the_bench_does(results: list[corpus.Outcome]) -> None:
    path = corpus.CASES / "dahua.jsonl"
    run = subprocess.run(
        [sys.executable, "-m", "camaudit", "identify", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr
    from_command = {
        d["id"]: (d.get("device") or {}).get("manufacturer") for d in map(json.loads, run.stdout.splitlines())
    }
    from_bench = {o.case.id: o.maker for o in results if o.case.file == path.name}
    assert from_command == from_bench
