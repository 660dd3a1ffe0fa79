"""Capability rules: the shipped file loads; bad rules fail with file, line and key."""

from __future__ import annotations

import pytest

from camaudit.data.capabilities import Capability, load_capabilities, parse_capabilities
from camaudit.data.load import parse_text
from camaudit.errors import DataFileError

HEAD = "schema: camaudit.capabilities/1\nsources: [x]\nrules:\n"


def test_shipped_rules_load_and_cite_sources() -> None:
    rules = load_capabilities()
    assert rules and all(r.source.startswith("https://") for r in rules)
    doorbell = next(r for r in rules if r.id == "doorbell-two-way-audio")
    assert doorbell.matches("doorbell", None) and not doorbell.matches("ip_camera", None)
    assert doorbell.capabilities == {Capability.AUDIO_RECORDING}


@pytest.mark.parametrize(
    ("rule", "match"),
    [
        ("  - {id: a, device_types: [toaster], capabilities: [anpr], source: 'https://e.org'}",
         r"^c\.yaml:4: rules\.0\.device_types\.0: unknown name 'toaster'"),
        ("  - {id: a, device_types: [nvr], capabilities: [mind_reading], source: 'https://e.org'}",
         r"^c\.yaml:4: rules\.0\.capabilities\.0: unknown name 'mind_reading'"),
        ("  - {id: a, capabilities: [anpr], source: 'https://e.org'}", r"needs device_types, model, or both"),
        ("  - {id: a, model: '(', capabilities: [anpr], source: 'https://e.org'}",
         r"rules\.0\.model: bad regex"),
        ("  - {id: a, model: 'ITC', capabilities: [anpr], source: 'a vendor said so'}",
         r"rules\.0\.source: must be the URL"),
    ],
)  # fmt: skip
def test_bad_rules_are_rejected(rule: str, match: str) -> None:
    with pytest.raises(DataFileError, match=match):
        parse_capabilities(parse_text(HEAD + rule + "\n", "c.yaml"))


def test_model_rules_match_by_regex() -> None:
    (rule,) = parse_capabilities(
        parse_text(
            HEAD + "  - {id: a, model: '^ITC', capabilities: [anpr], source: 'https://e.org'}\n", "c.yaml"
        )
    )
    assert (
        rule.matches(None, "ITC437-PW6M")
        and not rule.matches(None, "IPC-HDW")
        and not rule.matches(None, None)
    )
