"""Which rules of a field can match a value at all, without running every regex.

Most rules carry a literal that any match must contain (``App-webs/``, ``Login to ``, ``AXIS,``). Each
field's literals go into one Aho-Corasick automaton (pyahocorasick), so one pass over a value names
the rules worth running, whatever the number of rules; rules with no usable literal are always run.
The answer is exact: a rule is skipped only when its literal is absent, and then its regex could not
have matched. Order is kept, so "first match wins" is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser  # type: ignore[attr-defined]
from typing import Any

import ahocorasick

from camaudit.data.schema import Rule

MIN_LITERAL = 3  # shorter literals select too much to be worth a lookup
# Below this many rules a field's regexes are cheaper to run than the automaton (bench/matcher.py).
MIN_RULES = 12


def _runs(tokens: Any) -> Iterator[str]:
    """Runs of literal characters every match must contain, in a parsed pattern's top-level sequence."""
    run: list[str] = []
    for op, arg in tokens:
        if op is sre_constants.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            yield "".join(run)
            run = []
        if op is sre_constants.SUBPATTERN and not (arg[1] or arg[2]):  # a plain group: look inside
            yield from _runs(arg[-1])  # (a group with its own flags, e.g. (?i:…), is left alone)
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and arg[0] >= 1:
            yield from _runs(arg[2])  # repeated at least once: its own literals are required
    if run:
        yield "".join(run)


def required_literal(pattern: re.Pattern[str]) -> str | None:
    """The longest literal every match of `pattern` contains (lower-cased for IGNORECASE), or None."""
    try:
        parsed = sre_parser.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError, TypeError):
        return None
    runs = [r for r in _runs(parsed) if len(r) >= MIN_LITERAL]
    if not runs:
        return None
    best = max(runs, key=len)
    return best.lower() if pattern.flags & re.IGNORECASE else best


@dataclass(frozen=True, slots=True)
class FieldRules:
    """One field's rules with the automaton that finds which of them can match a value."""

    rules: tuple[Rule, ...]
    always: frozenset[int]  # rules with no usable literal
    exact: Any  # ahocorasick.Automaton over case-sensitive literals, or None
    lower: Any  # ahocorasick.Automaton over lower-cased literals, or None

    def candidates(self, value: str) -> Iterator[Rule]:
        """The rules that can match `value`, in file order."""
        if len(self.rules) < MIN_RULES:
            return iter(self.rules)
        found = set(self.always)
        for automaton, text in ((self.exact, value), (self.lower, value.lower())):
            if automaton is not None:
                for _, indexes in automaton.iter(text):
                    found.update(indexes)
        return (self.rules[i] for i in sorted(found))


def _automaton(pairs: Sequence[tuple[str, int]]) -> Any:
    if not pairs:
        return None
    grouped: dict[str, list[int]] = {}
    for literal, index in pairs:
        grouped.setdefault(literal, []).append(index)
    automaton = ahocorasick.Automaton()
    for literal, indexes in grouped.items():
        automaton.add_word(literal, tuple(indexes))
    automaton.make_automaton()
    return automaton


def build(rules: Sequence[Rule]) -> FieldRules:
    exact: list[tuple[str, int]] = []
    lower: list[tuple[str, int]] = []
    always: set[int] = set()
    for index, rule in enumerate(rules):
        literal = required_literal(rule.pattern)
        if literal is None:
            always.add(index)
        elif rule.pattern.flags & re.IGNORECASE:
            lower.append((literal, index))
        else:
            exact.append((literal, index))
    return FieldRules(tuple(rules), frozenset(always), _automaton(exact), _automaton(lower))
