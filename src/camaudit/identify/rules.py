"""Run the fingerprint rules over observations: one Evidence per matching (field, rule).

Rules are searched in file order and the first match per field value wins (recog semantics;
the self-test proves no earlier rule shadows a later rule's examples). Captured brand and
manufacturer names are resolved through the vocabulary; a name the vocabulary does not know is
kept as ``brand_raw`` so a person can still see it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from camaudit.data.load import load_knowledge
from camaudit.data.schema import MAKER_KEYS, Rule, Vocabulary
from camaudit.identify import prefilter
from camaudit.model import Evidence, Observation


@functools.cache
def rule_index() -> Mapping[str, tuple[Rule, ...]]:
    """Every rule (fingerprints and OUI registrants), grouped by the field it reads."""
    knowledge = load_knowledge()
    index: dict[str, list[Rule]] = {}
    for item in (*knowledge.fingerprints, knowledge.oui):
        index.setdefault(item.matches, []).extend(item.rules)
    return {name: tuple(rules) for name, rules in index.items()}


def captured(rule: Rule, value: str) -> dict[str, str] | None:
    """The rule's named captures on `value` (unset optional groups left out), or None."""
    found = rule.pattern.search(value)
    if found is None:
        return None
    pairs = zip(rule.captures, found.groups(), strict=True)
    return {name: text for name, text in pairs if text is not None}


_WORD_BREAK = re.compile(r"[\s_]+")


def resolve_name(text: str, vocab: Vocabulary) -> str | None:
    """A maker id for a name as devices write it: whole, or its first word ("ANNKE NC800",
    "Panasonic_BB-SC384B", "FLIR Systems DVTel")."""
    words = _WORD_BREAK.split(text.strip())
    return vocab.resolve_maker(text) or (vocab.resolve_maker(words[0]) if len(words) > 1 else None)


def claims_of(rule: Rule, captures: Mapping[str, str], vocab: Vocabulary) -> dict[str, str]:
    claims = dict(rule.sets)
    for name, text in captures.items():
        if name in MAKER_KEYS:
            resolved = resolve_name(text, vocab)
            if resolved is None:
                claims[f"{name}_raw"] = text
                continue
            claims[name] = resolved
        else:
            claims[name] = text.strip()
    if "build" in claims and "firmware" in claims and "build" not in claims["firmware"].lower():
        claims["firmware"] = f"{claims['firmware']} build {claims['build']}"  # ISAPI keeps them apart
    return claims


def competes(rule: Rule, maker: str | None) -> bool:
    """Whether `rule` is judged: with no maker known, every rule but the maker-scoped ones (an
    ambiguous prefix: "NVR301-08S3" is a Uniview recorder, "NVR4108HS" a Dahua one); with a maker
    known, only that maker's rules."""
    if maker is None:
        return rule.scope != "maker"
    return rule.sets.get("manufacturer") == maker


Captures = tuple[tuple[str, str], ...]


@functools.cache
def field_rules() -> Mapping[str, prefilter.FieldRules]:
    """Each field's rules with its literal prefilter."""
    return {field: prefilter.build(rules) for field, rules in rule_index().items()}


# Device replies repeat (one Server header on a million cameras): a value is judged once.
@functools.lru_cache(maxsize=65536)
def _first_match(
    field: str, value: str, maker: str | None
) -> tuple[Rule, tuple[tuple[str, str], ...]] | None:
    found = field_rules().get(field)
    if found is None:
        return None
    for rule in found.candidates(value):
        if not competes(rule, maker):
            continue
        caps = captured(rule, value)
        if caps is not None:
            return rule, tuple(caps.items())
    return None


def first_match(field: str, value: str, maker: str | None = None) -> tuple[Rule, dict[str, str]] | None:
    """The first rule of `field` (in file order) that matches `value`, with its captures."""
    hit = _first_match(field, value, maker)
    return None if hit is None else (hit[0], dict(hit[1]))


def match_value(
    field: str, value: str, obs: Observation | None = None, maker: str | None = None
) -> Evidence | None:
    """Evidence for one field value, or None when no rule matches (only `maker`'s rules if given)."""
    hit = first_match(field, value, maker)
    if hit is None:
        return None
    rule, caps = hit
    return Evidence(
        kind=obs.kind if obs else "",
        field=field,
        value=value,
        rule_id=rule.id,
        source=obs.source if obs else "",
        ip=obs.ip if obs else None,
        port=obs.port if obs else None,
        claims=claims_of(rule, caps, load_knowledge().vocab),
        confidence=rule.confidence,
    )


def match(obs: Observation) -> list[Evidence]:
    """Every piece of evidence the rules find in one observation."""
    found = (match_value(name, value, obs) for name, value in obs.fields.items())
    return [ev for ev in found if ev is not None]
