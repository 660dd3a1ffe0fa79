"""The literal prefilter skips only rules that could not have matched: same answers, fewer regexes."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from camaudit.data.load import load_knowledge
from camaudit.identify import prefilter
from camaudit.identify.rules import captured, field_rules, first_match, rule_index

sys.path.insert(0, str(Path(__file__).parents[1] / "corpus"))


def _naive(field: str, value: str) -> str | None:
    for rule in rule_index().get(field, ()):
        if rule.scope != "maker" and captured(rule, value) is not None:
            return rule.id
    return None


def test_literals_are_what_every_match_contains() -> None:
    assert prefilter.required_literal(re.compile(r"^App-webs/$")) == "App-webs/"
    assert prefilter.required_literal(re.compile(r"^Login to ([0-9A-Za-z]{8,32})$")) == "Login to "
    assert prefilter.required_literal(re.compile(r"(?i)^TP-LINK IP-Camera$")) == "tp-link ip-camera"
    assert prefilter.required_literal(re.compile(r"^(?:DNVRS|DVRDVS)-Webs$")) == "-Webs"
    assert (
        prefilter.required_literal(re.compile(r"^(?i:secure; ?HttpOnly)$")) is None
    )  # own flags: left alone
    assert prefilter.required_literal(re.compile(r"^\d+$")) is None


def test_every_rule_is_a_candidate_for_its_own_examples() -> None:
    for file in (*load_knowledge().fingerprints, load_knowledge().oui):
        table = field_rules()[file.matches]
        for rule in file.rules:
            for example in rule.examples:
                assert rule in list(table.candidates(example.value)), (rule.id, example.value)


def test_the_prefilter_agrees_with_every_rule_run_on_every_corpus_value() -> None:
    import corpus  # tests/corpus/corpus.py
    from camaudit.sources import evidence

    checked = 0
    for case in corpus.load():
        try:
            observations = evidence.observations(json.loads(case.raw_line), case.id)
        except evidence.InputError:
            continue
        for obs in observations:
            for field, value in obs.fields.items():
                hit = first_match(field, value)
                assert (hit[0].id if hit else None) == _naive(field, value), (case.id, field, value)
                checked += 1
    assert checked > 5_000


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(rule_index())), st.text(max_size=80))
def test_the_prefilter_agrees_on_arbitrary_text(field: str, value: str) -> None:
    hit = first_match(field, value)
    assert (hit[0].id if hit else None) == _naive(field, value)
