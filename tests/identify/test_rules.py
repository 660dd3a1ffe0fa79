"""recog-style self-test: every shipped rule proves itself on its own public examples."""

from __future__ import annotations

import pytest

from camaudit.data.load import load_knowledge
from camaudit.data.schema import FingerprintFile, Rule
from camaudit.identify.rules import captured, competes, match, rule_index
from camaudit.model import Observation, Transport

KNOWLEDGE = load_knowledge()
FILES: tuple[FingerprintFile, ...] = (*KNOWLEDGE.fingerprints, KNOWLEDGE.oui)
CASES = [(f, i, r) for f in FILES for i, r in enumerate(f.rules)]


def _id(case: tuple[FingerprintFile, int, Rule]) -> str:
    return case[2].id


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_rule_examples(case: tuple[FingerprintFile, int, Rule]) -> None:
    file, index, rule = case
    assert rule.pattern.groups == len(rule.captures)
    assert rule.source.startswith(("https://", "http://"))
    for example in rule.examples:
        caps = captured(rule, example.value)
        assert caps is not None, f"{rule.id} does not match its example {example.value!r}"
        assert caps == dict(example.expect)
        maker = rule.sets.get("manufacturer") if rule.scope == "maker" else None
        rivals = [r for r in file.rules[:index] if competes(r, maker)]
        earlier = [r.id for r in rivals if r.pattern.search(example.value)]
        assert earlier == [], f"{example.value!r} is taken first by {earlier}"


def test_rule_ids_unique_across_files() -> None:
    ids = [r.id for _, _, r in CASES]
    assert len(ids) == len(set(ids))


def test_index_covers_required_fields() -> None:
    wanted = {
        "http.header.server",
        "http.header_names",
        "http.www_authenticate.realm",
        "http.path_status",
        "http.body",
        "http.title",
        "http.favicon.md5",
        "rtsp.header.server",
        "rtsp.www_authenticate.realm",
        "tls.subject",
        "tls.issuer",
        "sadp.DeviceDescription",
        "dhip.Vendor",
        "dvrip.header",
        "hiksdk.header",
        "wsd.scopes",
        "wsd.scope.name",
        "onvif.Manufacturer",
        "mac.oui_registrant",
    }
    assert wanted <= set(rule_index())


def test_match_resolves_brand_and_keeps_unknown_names_raw() -> None:
    obs = Observation(
        "probe:dhip",
        "127.0.0.9",
        37810,
        Transport.UDP,
        "dhip",
        "dhip.reply",
        {"dhip.Vendor": "Lorex", "dhip.DeviceType": "W461ASC"},
    )
    claims = {ev.rule_id: dict(ev.claims) for ev in match(obs)}
    assert claims["dahua-dhip-vendor-label"] == {"manufacturer": "dahua", "brand": "lorex"}
    assert claims["dahua-dhip-model"] == {"manufacturer": "dahua", "model": "W461ASC"}
    odd = Observation(
        "probe:dhip", "127.0.0.9", 37810, Transport.UDP, "dhip", "dhip.reply", {"dhip.Vendor": "Acme Vision"}
    )
    assert dict(match(odd)[0].claims) == {"manufacturer": "dahua", "brand_raw": "Acme Vision"}


def test_unrelated_values_match_nothing() -> None:
    obs = Observation(
        "probe:http",
        "127.0.0.9",
        80,
        Transport.TCP,
        "http",
        "http.response",
        {"http.header.server": "Microsoft-IIS/10.0", "http.title": "Router login"},
    )
    assert match(obs) == []
