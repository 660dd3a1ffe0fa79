"""Typed, frozen views of the data files under `camaudit/data/` (built only by `data.load`).

Every file starts with ``schema: camaudit.<kind>/<n>`` and ``sources:``; the loader rejects
anything else, so these types can trust their contents (vocabulary ids exist, regexes compile,
every rule cites a public source).
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from dataclasses import dataclass, field

# Claim keys a rule may set as constants, and names its capture groups may take.
SET_KEYS = frozenset({"manufacturer", "brand", "device_type", "model", "firmware", "serial"})
CAPTURE_KEYS = frozenset({"manufacturer", "brand", "model", "firmware", "serial", "mac", "build", "version"})
RULE_SCOPES = frozenset({"any", "maker"})
# Claim keys whose values must be vocabulary ids.
MAKER_KEYS = frozenset({"manufacturer", "brand"})


def fold(text: str) -> str:
    """Case- and spacing-insensitive form used to compare names with aliases."""
    return " ".join(text.casefold().replace("_", " ").split())


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return types.MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class Manufacturer:
    id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeviceType:
    id: str
    name: str
    camera: bool


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Controlled names: manufacturers/brands, device types, observation fields."""

    manufacturers: Mapping[str, Manufacturer]
    device_types: Mapping[str, DeviceType]
    fields: frozenset[str]
    field_prefixes: tuple[str, ...] = ()  # from ``x.*`` entries: any key starting ``x.``
    _alias_index: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[str, str] = {}
        for maker in self.manufacturers.values():
            for name in (maker.id, maker.name, *maker.aliases):
                index.setdefault(fold(name), maker.id)
        object.__setattr__(self, "_alias_index", types.MappingProxyType(index))

    def has_field(self, name: str) -> bool:
        return name in self.fields or any(name.startswith(p) and name != p for p in self.field_prefixes)

    def resolve_maker(self, text: str) -> str | None:
        """The vocabulary id whose id, name or alias equals `text` (folded), else None."""
        return self._alias_index.get(fold(text))

    def is_camera_type(self, type_id: str | None) -> bool:
        entry = self.device_types.get(type_id or "")
        return bool(entry and entry.camera)


@dataclass(frozen=True, slots=True)
class Example:
    """A public value the rule must match, with the captures it must extract."""

    value: str
    expect: Mapping[str, str]
    line: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "expect", _frozen(self.expect))


@dataclass(frozen=True, slots=True)
class Rule:
    """One fingerprint: a regex over one observation field (searched, recog-style)."""

    id: str
    field: str
    pattern: re.Pattern[str]
    sets: Mapping[str, str]
    captures: tuple[str, ...]
    confidence: float
    source: str
    examples: tuple[Example, ...]
    description: str = ""
    file: str = ""
    line: int = 0
    scope: str = "any"  # "maker": only judged once the maker is known (an ambiguous model prefix)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sets", _frozen(self.sets))


@dataclass(frozen=True, slots=True)
class FingerprintFile:
    """``data/fingerprints/<field>.yaml`` (or ``oui.yaml``): ordered rules for one field."""

    name: str
    schema: str
    matches: str
    sources: tuple[str, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class OemLink:
    """A label brand and who really makes (some or all of) its devices."""

    brand: str
    manufacturer: str
    confidence: float
    source: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class OemTable:
    links: Mapping[str, OemLink]
    sources: tuple[str, ...] = ()

    def maker_of(self, brand: str) -> OemLink | None:
        return self.links.get(brand)


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Everything identify needs, loaded and validated once per process."""

    vocab: Vocabulary
    fingerprints: tuple[FingerprintFile, ...]
    oui: FingerprintFile
    oem: OemTable
