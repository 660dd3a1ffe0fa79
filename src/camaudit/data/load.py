"""The one place that reads camaudit's data files (R6, R7).

Files are YAML read with PyYAML's *safe* node composer; we keep each node's line so that a bad
file fails with ``DataFileError("<file>:<line>: <key>: <reason>")``. Unknown keys, a rule without
a public `source`, a name outside the controlled vocabulary, a regex that does not compile or
whose groups do not match its declared captures, and duplicate ids are all rejected at load time.
Packaged files are read through importlib.resources and cached once per process.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, NoReturn

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from camaudit.data.schema import (
    CAPTURE_KEYS,
    MAKER_KEYS,
    RULE_SCOPES,
    SET_KEYS,
    DeviceType,
    Example,
    FingerprintFile,
    Knowledge,
    Manufacturer,
    OemLink,
    OemTable,
    Rule,
    Vocabulary,
    fold,
)
from camaudit.errors import DataFileError

MAX_FILE_BYTES = 1_000_000  # our own files are ~20 kB; a user-supplied file gets the same cap
_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_URL = re.compile(r"^https?://\S+$")
Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Doc:
    """A parsed YAML file: plain data plus the line of every node, keyed by its path."""

    name: str
    data: dict[str, Any]
    lines: Mapping[Path, int]

    def line(self, path: Path) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def fail(self, path: Path, reason: str) -> NoReturn:
        key = ".".join(str(p) for p in path) or "<file>"
        raise DataFileError(f"{self.name}:{self.line(path)}: {key}: {reason}")


_STR = "tag:yaml.org,2002:str"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it: ~5x faster


def _build(node: Node, path: Path, lines: dict[Path, int], name: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(_scalar(key_node))
            if key in out:
                raise DataFileError(f"{name}:{key_node.start_mark.line + 1}: {key}: duplicate key")
            out[key] = _build(value_node, (*path, key), lines, name)
        return out
    if isinstance(node, SequenceNode):
        return [_build(item, (*path, i), lines, name) for i, item in enumerate(node.value)]
    assert isinstance(node, ScalarNode)
    return _scalar(node)


def _scalar(node: Node) -> Any:
    """A scalar node's value by YAML's core schema (a fresh constructor: it keeps per-document state)."""
    if node.tag == _STR:  # most values in our files: no resolver work to do
        return node.value
    return SafeConstructor().construct_object(node)


def parse_text(text: str, name: str) -> Doc:
    """Compose `text` safely (no tags beyond YAML's core schema) into a located Doc."""
    if len(text.encode()) > MAX_FILE_BYTES:
        raise DataFileError(f"{name}:1: <file>: larger than {MAX_FILE_BYTES} bytes")
    try:
        root = yaml.compose(text, Loader=_LOADER)
        lines: dict[Path, int] = {}
        data = _build(root, (), lines, name) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        if "maximum nesting depth" in str(exc):  # libyaml's own limit (1,000 levels)
            raise DataFileError(f"{name}:{line}: <file>: nested too deeply") from None
        raise DataFileError(f"{name}:{line}: <file>: not valid YAML ({exc})") from None
    except RecursionError:  # PyYAML composes recursively: `[[[[…]]]]` must be one line, not a traceback
        raise DataFileError(f"{name}:1: <file>: nested too deeply") from None
    if not isinstance(data, dict):
        raise DataFileError(f"{name}:1: <file>: top level must be a mapping")
    return Doc(name, data, lines)


# --- generic checks ------------------------------------------------------------------------


def check_keys(doc: Doc, path: Path, value: Any, allowed: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        doc.fail(path, "must be a mapping")
    for key in value:
        if key not in allowed:
            doc.fail((*path, key), f"unknown key (allowed: {', '.join(sorted(allowed))})")
    for key in sorted(required - set(value)):
        doc.fail(path, f"missing required key {key!r}")
    return value


def mapping_of(doc: Doc, path: Path, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        doc.fail(path, "must be a non-empty mapping")
    return value


def text_of(doc: Doc, path: Path, value: Any) -> str:
    if not isinstance(value, str) or not value:
        doc.fail(path, "must be a non-empty string")
    return value


def header(doc: Doc, kind: str, allowed: set[str]) -> tuple[str, ...]:
    """Check ``schema: camaudit.<kind>/1`` and ``sources:``; return the sources."""
    check_keys(doc, (), doc.data, allowed | {"schema", "sources"}, {"schema", "sources"})
    if doc.data["schema"] != f"camaudit.{kind}/1":
        doc.fail(("schema",), f"expected 'camaudit.{kind}/1', got {doc.data['schema']!r}")
    sources = doc.data["sources"]
    if not isinstance(sources, list) or not sources:
        doc.fail(("sources",), "must be a non-empty list")
    return tuple(text_of(doc, ("sources", i), s) for i, s in enumerate(sources))


def _confidence(doc: Doc, path: Path, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        doc.fail(path, "confidence must be a number in (0, 1]")
    return float(value)


def _source(doc: Doc, path: Path, value: Any) -> str:
    if not isinstance(value, str) or not _URL.match(value):
        doc.fail(path, "source must be the URL of a public page showing this value")
    return value


# --- vocabulary ----------------------------------------------------------------------------


def parse_fields(doc: Doc) -> tuple[frozenset[str], tuple[str, ...]]:
    header(doc, "vocab.fields", {"kinds", "fields"})
    fields = mapping_of(doc, ("fields",), doc.data.get("fields"))
    for key, doc_text in fields.items():
        if not re.fullmatch(r"[a-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_*]+)*", key):
            doc.fail(("fields", key), "field names are dotted identifiers, '.*' for any suffix")
        text_of(doc, ("fields", key), doc_text)
    plain = frozenset(k for k in fields if not k.endswith(".*"))
    prefixes = tuple(k[:-1] for k in fields if k.endswith(".*"))
    return plain, prefixes


def parse_manufacturers(doc: Doc) -> dict[str, Manufacturer]:
    header(doc, "vocab.manufacturers", {"manufacturers"})
    entries = mapping_of(doc, ("manufacturers",), doc.data.get("manufacturers"))
    out: dict[str, Manufacturer] = {}
    for mid, body in entries.items():
        path: Path = ("manufacturers", mid)
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", mid):
            doc.fail(path, "id must be lower-case kebab")
        check_keys(doc, path, body, {"name", "aliases", "note"}, {"name"})
        aliases = body.get("aliases", [])
        if not isinstance(aliases, list):
            doc.fail((*path, "aliases"), "must be a list")
        names = tuple(text_of(doc, (*path, "aliases", i), a) for i, a in enumerate(aliases))
        out[mid] = Manufacturer(mid, text_of(doc, (*path, "name"), body["name"]), names)
    return out


def parse_device_types(doc: Doc) -> dict[str, DeviceType]:
    header(doc, "vocab.device_types", {"device_types"})
    entries = mapping_of(doc, ("device_types",), doc.data.get("device_types"))
    out: dict[str, DeviceType] = {}
    for tid, body in entries.items():
        path: Path = ("device_types", tid)
        check_keys(doc, path, body, {"name", "camera"}, {"name", "camera"})
        if not isinstance(body["camera"], bool):
            doc.fail((*path, "camera"), "must be true or false")
        out[tid] = DeviceType(tid, text_of(doc, (*path, "name"), body["name"]), body["camera"])
    return out


def check_unique_aliases(doc: Doc, makers: Mapping[str, Manufacturer]) -> None:
    seen: dict[str, str] = {}
    for maker in makers.values():
        for alias in (maker.id, maker.name, *maker.aliases):
            owner = seen.setdefault(fold(alias), maker.id)
            if owner != maker.id:
                doc.fail(("manufacturers", maker.id), f"alias {alias!r} already names {owner!r}")


# --- fingerprint rules ---------------------------------------------------------------------

_RULE_KEYS = {
    "id",
    "description",
    "pattern",
    "sets",
    "captures",
    "confidence",
    "source",
    "examples",
    "note",
    "scope",
}


def _vocab_value(doc: Doc, path: Path, key: str, value: Any, vocab: Vocabulary) -> str:
    text = text_of(doc, path, value)
    if key in MAKER_KEYS and text not in vocab.manufacturers:
        doc.fail(path, f"{text!r} is not in vocab/manufacturers.yaml")
    if key == "device_type" and text not in vocab.device_types:
        doc.fail(path, f"{text!r} is not in vocab/device_types.yaml")
    return text


def _sets(doc: Doc, path: Path, value: Any, vocab: Vocabulary) -> dict[str, str]:
    sets = check_keys(doc, path, value if value is not None else {}, set(SET_KEYS), set())
    return {k: _vocab_value(doc, (*path, k), k, v, vocab) for k, v in sets.items()}


def _pattern(doc: Doc, path: Path, value: Any, captures: tuple[str, ...]) -> re.Pattern[str]:
    try:
        pattern = re.compile(text_of(doc, path, value))
    except re.error as exc:
        doc.fail(path, f"bad regex: {exc}")
    if pattern.groups != len(captures):
        doc.fail(path, f"{pattern.groups} capture groups but {len(captures)} names in captures")
    return pattern


def _captures(doc: Doc, path: Path, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        doc.fail(path, "must be a list of names")
    for i, name in enumerate(value):
        if name not in CAPTURE_KEYS:
            doc.fail(
                (*path, i), f"unknown capture name {name!r} (allowed: {', '.join(sorted(CAPTURE_KEYS))})"
            )
    return tuple(value)


def _examples(doc: Doc, path: Path, value: Any, captures: tuple[str, ...]) -> tuple[Example, ...]:
    if not isinstance(value, list) or not value:
        doc.fail(path, "every rule needs at least one public example")
    out = []
    for i, item in enumerate(value):
        where = (*path, i)
        check_keys(doc, where, item, {"value", "expect"}, {"value"})
        expect = check_keys(doc, (*where, "expect"), item.get("expect") or {}, set(captures), set())
        expect = {k: str(v) for k, v in expect.items()}
        out.append(Example(text_of(doc, (*where, "value"), item["value"]), expect, doc.line(where)))
    return tuple(out)


def parse_rule(doc: Doc, path: Path, body: Any, field: str, vocab: Vocabulary) -> Rule:
    check_keys(doc, path, body, _RULE_KEYS, {"id", "pattern", "confidence", "source", "examples"})
    rule_id = text_of(doc, (*path, "id"), body["id"])
    if not _ID.match(rule_id):
        doc.fail((*path, "id"), "ids are lower-case kebab")
    captures = _captures(doc, (*path, "captures"), body.get("captures"))
    scope = body.get("scope", "any")
    if scope not in RULE_SCOPES:
        doc.fail((*path, "scope"), f"scope must be one of {', '.join(sorted(RULE_SCOPES))}")
    if scope == "maker" and "manufacturer" not in body.get("sets", {}):
        doc.fail((*path, "scope"), "a maker-scoped rule must set its manufacturer")
    return Rule(
        id=rule_id,
        field=field,
        pattern=_pattern(doc, (*path, "pattern"), body["pattern"], captures),
        sets=_sets(doc, (*path, "sets"), body.get("sets"), vocab),
        captures=captures,
        confidence=_confidence(doc, (*path, "confidence"), body["confidence"]),
        source=_source(doc, (*path, "source"), body["source"]),
        examples=_examples(doc, (*path, "examples"), body["examples"], captures),
        description=str(body.get("description", "")),
        file=doc.name,
        line=doc.line(path),
        scope=scope,
    )


def parse_fingerprints(doc: Doc, vocab: Vocabulary, kind: str = "fingerprints") -> FingerprintFile:
    """Validate one rule file (`kind` is ``fingerprints`` or ``oui``)."""
    sources = header(doc, kind, {"matches", "rules"})
    field = text_of(doc, ("matches",), doc.data.get("matches"))
    if not vocab.has_field(field):
        doc.fail(("matches",), f"{field!r} is not in vocab/fields.yaml")
    rules_data = doc.data.get("rules")
    if not isinstance(rules_data, list) or not rules_data:
        doc.fail(("rules",), "must be a non-empty list")
    rules = tuple(parse_rule(doc, ("rules", i), r, field, vocab) for i, r in enumerate(rules_data))
    check_unique_ids(rules, {})
    return FingerprintFile(doc.name, str(doc.data["schema"]), field, sources, rules)


def check_unique_ids(rules: tuple[Rule, ...], seen: dict[str, Rule]) -> None:
    for rule in rules:
        first = seen.setdefault(rule.id, rule)
        if first is not rule:
            where = f"{rule.file}:{rule.line}: {rule.id}"
            raise DataFileError(f"{where}: duplicate rule id (first at {first.file}:{first.line})")


# --- OEM table -----------------------------------------------------------------------------


def parse_oem(doc: Doc, vocab: Vocabulary) -> OemTable:
    sources = header(doc, "oem", {"links"})
    links_data = doc.data.get("links")
    if not isinstance(links_data, list) or not links_data:
        doc.fail(("links",), "must be a non-empty list")
    links: dict[str, OemLink] = {}
    for i, body in enumerate(links_data):
        path: Path = ("links", i)
        check_keys(
            doc,
            path,
            body,
            {"brand", "manufacturer", "confidence", "source", "note"},
            {"brand", "manufacturer", "confidence", "source"},
        )
        brand = _vocab_value(doc, (*path, "brand"), "brand", body["brand"], vocab)
        if brand in links:
            doc.fail((*path, "brand"), f"duplicate brand {brand!r}")
        links[brand] = OemLink(
            brand=brand,
            manufacturer=_vocab_value(
                doc, (*path, "manufacturer"), "manufacturer", body["manufacturer"], vocab
            ),
            confidence=_confidence(doc, (*path, "confidence"), body["confidence"]),
            source=_source(doc, (*path, "source"), body["source"]),
            note=str(body.get("note", "")),
        )
    return OemTable(links, sources)


# --- packaged files, cached ----------------------------------------------------------------


def _read(relative: str) -> Doc:
    path = resources.files("camaudit.data").joinpath(relative)
    return parse_text(path.read_text(encoding="utf-8"), f"data/{relative}")


@functools.cache
def load_vocabulary() -> Vocabulary:
    makers_doc = _read("vocab/manufacturers.yaml")
    makers = parse_manufacturers(makers_doc)
    check_unique_aliases(makers_doc, makers)
    fields, prefixes = parse_fields(_read("vocab/fields.yaml"))
    types_ = parse_device_types(_read("vocab/device_types.yaml"))
    return Vocabulary(makers, types_, fields, prefixes)


def fingerprint_names() -> tuple[str, ...]:
    folder = resources.files("camaudit.data").joinpath("fingerprints")
    return tuple(sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml")))


@functools.cache
def load_knowledge() -> Knowledge:
    """Vocabulary, every fingerprint file, the OUI registrant rules and the OEM table."""
    vocab = load_vocabulary()
    files = tuple(parse_fingerprints(_read(f"fingerprints/{n}"), vocab) for n in fingerprint_names())
    oui = parse_fingerprints(_read("oui.yaml"), vocab, kind="oui")
    seen: dict[str, Rule] = {}
    for item in (*files, oui):
        check_unique_ids(item.rules, seen)
    return Knowledge(vocab, files, oui, parse_oem(_read("oem.yaml"), vocab))
