"""Model families and device types with privacy-intrusive capabilities (``data/capabilities.yaml``).

Each rule names device types and/or a model regex, the capabilities they have by design, and the
public source; the loader rejects unknown capabilities, device types and keys with file, line and key.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources

from camaudit.data.load import Doc, check_keys, header, load_vocabulary, parse_text, text_of

_URL = re.compile(r"^https?://\S+$")


class Capability(StrEnum):
    """Capabilities that trigger impact assessments (ICO DPIA triggers, NZ OPC guidance)."""

    FACE_CAPTURE = "face_capture"
    FACE_RECOGNITION = "face_recognition"
    ANPR = "anpr"
    AUDIO_RECORDING = "audio_recording"
    PEOPLE_COUNTING = "people_counting"
    THERMAL_SCREENING = "thermal_screening"


@dataclass(frozen=True, slots=True)
class CapabilityRule:
    id: str
    capabilities: frozenset[Capability]
    source: str
    device_types: frozenset[str] = frozenset()
    model: re.Pattern[str] | None = None
    note: str = ""

    def matches(self, device_type: str | None, model: str | None) -> bool:
        if self.device_types and device_type not in self.device_types:
            return False
        return self.model is None or bool(model and self.model.search(model))


def _names(doc: Doc, path: tuple[str | int, ...], value: object, allowed: set[str]) -> frozenset[str]:
    if not isinstance(value, list) or not value:
        doc.fail(path, "must be a non-empty list")
    for i, item in enumerate(value):
        if item not in allowed:
            doc.fail((*path, i), f"unknown name {item!r} (known: {', '.join(sorted(allowed))})")
    return frozenset(str(v) for v in value)


def _rule(doc: Doc, i: int, body: object) -> CapabilityRule:
    path: tuple[str | int, ...] = ("rules", i)
    keys = {"id", "device_types", "model", "capabilities", "source", "note"}
    data = check_keys(doc, path, body, keys, {"id", "capabilities", "source"})
    if "device_types" not in data and "model" not in data:
        doc.fail(path, "a rule needs device_types, model, or both")
    source = text_of(doc, (*path, "source"), data["source"])
    if not _URL.match(source):
        doc.fail((*path, "source"), "must be the URL of a public source")
    try:
        model = re.compile(text_of(doc, (*path, "model"), data["model"])) if "model" in data else None
    except re.error as exc:
        doc.fail((*path, "model"), f"bad regex: {exc}")
    types = set(load_vocabulary().device_types)
    return CapabilityRule(
        id=text_of(doc, (*path, "id"), data["id"]),
        capabilities=frozenset(
            Capability(c) for c in _names(doc, (*path, "capabilities"), data["capabilities"], set(Capability))
        ),
        source=source,
        device_types=_names(doc, (*path, "device_types"), data["device_types"], types)
        if "device_types" in data
        else frozenset(),
        model=model,
        note=str(data.get("note", "")),
    )


def parse_capabilities(doc: Doc) -> tuple[CapabilityRule, ...]:
    header(doc, "capabilities", {"rules"})
    rules = doc.data.get("rules")
    if not isinstance(rules, list) or not rules:
        doc.fail(("rules",), "must be a non-empty list")
    return tuple(_rule(doc, i, body) for i, body in enumerate(rules))


@functools.cache
def load_capabilities() -> tuple[CapabilityRule, ...]:
    path = resources.files("camaudit.data").joinpath("capabilities.yaml")
    return parse_capabilities(parse_text(path.read_text(encoding="utf-8"), "data/capabilities.yaml"))
