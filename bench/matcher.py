"""The rule matcher does not slow down as rules grow: naive loop vs the literal prefilter.

Prints values/s for fields of 10, 100 and 1,000 rules (synthetic rules shaped like real banner rules:
a literal, a version capture) and for the shipped rules on every value of the real-world corpus,
naive, prefiltered, and with the per-value cache a census hits on repeated banners.

    python bench/matcher.py
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
import string
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from camaudit.data.schema import Example, Rule
from camaudit.identify import prefilter
from camaudit.identify.rules import _first_match, captured, rule_index
from camaudit.sources import evidence

ROOT = Path(__file__).resolve().parents[1]
RNG = random.Random(7)


def _word(n: int) -> str:
    return "".join(RNG.choice(string.ascii_letters) for _ in range(n))


def _rule(i: int) -> Rule:
    pattern = re.compile(rf"^{_word(8)}/(\d+(?:\.\d+)*)$")
    return Rule(f"r{i}", "f", pattern, {}, ("version",), 0.5, "https://example.org", (Example("x", {}),))


def rate(values: Sequence[object], judge: Callable[[object], object], rounds: int = 3) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for value in values:
            judge(value)
    return rounds * len(values) / (time.perf_counter() - start)


def _first(candidates: Callable[[str], object]) -> Callable[[object], object]:
    def judge(value: object) -> object:
        text = str(value)
        return next((r for r in candidates(text) if r.pattern.search(text)), None)  # type: ignore[attr-defined]

    return judge


def synthetic() -> None:
    values = [_word(24) for _ in range(5000)]
    for n in (10, 100, 1000):
        rules = [_rule(i) for i in range(n)]
        naive = rate(values, _first(lambda v, rules=rules: iter(rules)))
        fast = rate(values, _first(prefilter.build(rules).candidates))
        print(f"{n:5} rules  naive {naive:11,.0f}/s  prefilter {fast:11,.0f}/s  ratio {fast / naive:6.1f}x")


def corpus_values() -> list[tuple[str, str]]:
    spec = importlib.util.spec_from_file_location("corpus", ROOT / "tests" / "corpus" / "corpus.py")
    assert spec and spec.loader
    corpus = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = corpus
    spec.loader.exec_module(corpus)
    pairs = []
    for case in corpus.load():
        try:
            observations = evidence.observations(json.loads(case.raw_line), case.id)
        except evidence.InputError:
            continue
        pairs += [(f, v) for o in observations for f, v in o.fields.items() if f in rule_index()]
    return pairs


def shipped() -> None:
    pairs = corpus_values()
    rules = rule_index()
    raw = _first_match.__wrapped__

    def naive(pair: object) -> object:
        field, value = pair  # type: ignore[misc]
        return next((r for r in rules[field] if r.scope != "maker" and captured(r, value)), None)

    n = sum(len(r) for r in rules.values())
    print(f"shipped rules ({n}) on {len(pairs)} real values:")
    print(f"  naive       {rate(pairs, naive):11,.0f} values/s")
    print(f"  prefilter   {rate(pairs, lambda p: raw(p[0], p[1], None)):11,.0f} values/s")  # type: ignore[index]
    print(f"  cached      {rate(pairs, lambda p: _first_match(p[0], p[1], None)):11,.0f} values/s")  # type: ignore[index]


if __name__ == "__main__":
    synthetic()
    shipped()
