"""The loader rejects bad data files with file, line and key in the message."""

from __future__ import annotations

import re

import pytest

from camaudit.data.load import load_knowledge, load_vocabulary, parse_fingerprints, parse_oem, parse_text
from camaudit.errors import DataFileError

GOOD = """\
schema: camaudit.fingerprints/1
matches: http.header.server
sources: [https://example.org/list]
rules:
  - id: demo-rule
    pattern: '^Demo-Webs/(\\d+)$'
    sets: {manufacturer: hikvision, device_type: nvr}
    captures: [version]
    confidence: 0.5
    source: https://example.org/page
    examples:
      - value: Demo-Webs/3
        expect: {version: '3'}
"""


def load(text: str) -> object:
    return parse_fingerprints(parse_text(text, "fp.yaml"), load_vocabulary())


def rejects(text: str, line: int, key: str, reason: str) -> None:
    with pytest.raises(DataFileError) as err:
        load(text)
    message = str(err.value)
    assert message.startswith(f"fp.yaml:{line}: {key}:"), message
    assert re.search(reason, message), message


def test_good_file_loads() -> None:
    parsed = load(GOOD)
    rule = parsed.rules[0]  # type: ignore[attr-defined]
    assert (rule.id, dict(rule.sets), rule.captures, rule.line) == (
        "demo-rule",
        {"manufacturer": "hikvision", "device_type": "nvr"},
        ("version",),
        5,
    )


def test_unknown_key() -> None:
    rejects(
        GOOD.replace("    confidence: 0.5", "    confidense: 0.5"), 9, "rules.0.confidense", "unknown key"
    )


def test_missing_source() -> None:
    rejects(
        GOOD.replace("    source: https://example.org/page\n", ""),
        5,
        "rules.0",
        "missing required key 'source'",
    )


def test_source_must_be_a_url() -> None:
    rejects(GOOD.replace("https://example.org/page", "my lab"), 10, "rules.0.source", "URL")


def test_unknown_vendor() -> None:
    rejects(
        GOOD.replace("manufacturer: hikvision", "manufacturer: hickvision"),
        7,
        "rules.0.sets.manufacturer",
        "not in vocab/manufacturers.yaml",
    )


def test_unknown_device_type() -> None:
    rejects(
        GOOD.replace("device_type: nvr", "device_type: camera"),
        7,
        "rules.0.sets.device_type",
        "not in vocab/device_types.yaml",
    )


def test_unknown_field() -> None:
    rejects(
        GOOD.replace("matches: http.header.server", "matches: http.server"),
        2,
        "matches",
        "not in vocab/fields.yaml",
    )


def test_bad_regex() -> None:
    rejects(GOOD.replace("'^Demo-Webs/(\\d+)$'", "'^Demo-Webs/(\\d+$'"), 6, "rules.0.pattern", "bad regex")


def test_group_count_must_equal_captures() -> None:
    rejects(GOOD.replace("    captures: [version]\n", ""), 6, "rules.0.pattern", "1 capture groups but 0")


def test_duplicate_id() -> None:
    rule = GOOD.split("rules:\n", 1)[1]
    rejects(GOOD + rule.replace("Demo-Webs/3", "Demo-Webs/4"), 14, "demo-rule", "")


def test_duplicate_yaml_key() -> None:
    with pytest.raises(DataFileError, match=r"^fp.yaml:3: matches: duplicate key"):
        load(GOOD.replace("sources:", "matches: x\nsources:", 1))


def test_wrong_schema_and_missing_sources() -> None:
    rejects(GOOD.replace("fingerprints/1", "fingerprints/2"), 1, "schema", "expected")
    with pytest.raises(DataFileError, match=r"^fp.yaml:1: <file>: missing required key 'sources'"):
        load(GOOD.replace("sources: [https://example.org/list]\n", ""))


def test_example_expect_must_name_a_capture() -> None:
    rejects(
        GOOD.replace("expect: {version: '3'}", "expect: {model: '3'}"),
        13,
        "rules.0.examples.0.expect.model",
        "unknown key",
    )


def test_not_yaml() -> None:
    with pytest.raises(DataFileError, match=r"^fp.yaml:\d+: <file>: not valid YAML"):
        load("rules: [unclosed\n")


def test_oem_rejects_unknown_brand() -> None:
    text = (
        "schema: camaudit.oem/1\nsources: [x]\nlinks:\n  - brand: nobody\n    manufacturer: dahua\n"
        "    confidence: 0.5\n    source: https://example.org/\n"
    )
    with pytest.raises(DataFileError, match=r"^oem.yaml:4: links.0.brand: 'nobody' is not in"):
        parse_oem(parse_text(text, "oem.yaml"), load_vocabulary())


def test_shipped_data_loads_once_and_is_consistent() -> None:
    first = load_knowledge()
    assert load_knowledge() is first
    vocab = first.vocab
    assert {"hikvision", "dahua", "ezviz", "lorex", "amcrest", "nginx", "hp"} <= set(vocab.manufacturers)
    assert set(vocab.device_types) == {
        "ip_camera",
        "nvr",
        "dvr",
        "doorbell",
        "intercom",
        "video_encoder",
        "vms",
        "printer",
        "web_server",
        "honeypot",
        "other",
    }
    assert vocab.resolve_maker("Hangzhou Hikvision Digital Technology Co.,Ltd.") == "hikvision"
    assert vocab.resolve_maker("Zhejiang Dahua Technology") == "dahua"
    assert vocab.resolve_maker("Shanghai Dahua Scale Factory") is None
    assert vocab.has_field("sadp.DeviceDescription") and not vocab.has_field("sadp.")
    assert first.oem.maker_of("lorex").manufacturer == "dahua"  # type: ignore[union-attr]
    assert first.oem.maker_of("ezviz").manufacturer == "hikvision"  # type: ignore[union-attr]
