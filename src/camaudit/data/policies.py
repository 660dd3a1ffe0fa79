"""Policy packs and their vocabulary (jurisdictions, organisation facts, site purposes, vendor groups).

A pack (``data/policies/<id>.yaml``, or a user's own file in the same format) says whom it binds, which
vendor groups it covers, what it requires and its public sources. Everything is validated at load
with `camaudit.data.load` helpers: an unknown key, vendor group, jurisdiction, fact or purpose fails
with ``<file>:<line>: <key>: <reason>`` and no pack is returned, so nothing is ever evaluated with a
half-read pack. Vendor groups name true manufacturers only; the brands a group makes for others come
from ``data/oem.yaml`` (one list of rebrands).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from camaudit.data.load import (
    MAX_FILE_BYTES,
    Doc,
    check_keys,
    header,
    load_vocabulary,
    mapping_of,
    parse_text,
    text_of,
)
from camaudit.errors import DataFileError
from camaudit.files import TooLarge, read_capped
from camaudit.model import Severity

_PACK_ID = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")
_URL = re.compile(r"^https?://\S+$")


class Requirement(StrEnum):
    """What a pack requires of a covered device (the evaluator knows each one)."""

    NO_PROCUREMENT = "no_procurement"  # not bought on/after `since` (needs an acquisition date)
    NO_USE = "no_use"  # not in use at all
    COVERED_LIST = "covered_list"  # listed equipment: present = flagged
    NO_SENSITIVE_SITE = "no_sensitive_site"  # not on a site declared sensitive
    NOT_ON_CORE_NETWORK = "not_on_core_network"  # not inside a declared core network
    REMOVE_BY = "remove_by"  # gone by the date `by`
    PATCH_BY = "patch_by"  # no KEV finding past its due date (or older than max_age_days)


class Equipment(StrEnum):
    VIDEO_SURVEILLANCE = "video_surveillance"  # device types with camera: true
    ANY = "any"


@dataclass(frozen=True, slots=True)
class VendorGroup:
    id: str
    name: str
    entities: tuple[str, ...]
    manufacturers: frozenset[str]
    source: str


@dataclass(frozen=True, slots=True)
class PolicyVocab:
    """Names packs and camaudit.toml may use."""

    jurisdictions: Mapping[str, str | None]  # id -> parent id
    facts: Mapping[str, str]
    purposes: Mapping[str, str]
    sectors: Mapping[str, str]
    groups: Mapping[str, VendorGroup]


@dataclass(frozen=True, slots=True)
class Obligation:
    kind: Requirement
    text: str
    source: str
    since: dt.date | None = None
    by: dt.date | None = None
    max_age_days: int | None = None


@dataclass(frozen=True, slots=True)
class Reporting:
    """A reporting clock from first detection (FAR 52.204-25(d))."""

    applies_if: str
    report_business_days: int
    mitigation_business_days: int
    source: str


@dataclass(frozen=True, slots=True)
class Pack:
    id: str
    name: str
    instrument: str
    binds_text: str
    severity: Severity
    requires: tuple[Obligation, ...]
    sources: tuple[str, ...]
    jurisdiction: str | None = None
    binds_any: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    equipment: Equipment = Equipment.VIDEO_SURVEILLANCE
    purposes: tuple[str, ...] = ()
    reporting: Reporting | None = None
    note: str = ""
    file: str = ""


# --- vocabulary ----------------------------------------------------------------------------


def _names(doc: Doc, key: str) -> dict[str, str]:
    entries = mapping_of(doc, (key,), doc.data.get(key))
    return {name: text_of(doc, (key, name), text) for name, text in entries.items()}


def parse_jurisdictions(
    doc: Doc,
) -> tuple[dict[str, str | None], dict[str, str], dict[str, str], dict[str, str]]:
    header(doc, "vocab.jurisdictions", {"jurisdictions", "organisation_facts", "site_purposes", "sectors"})
    places: dict[str, str | None] = {}
    for jid, body in mapping_of(doc, ("jurisdictions",), doc.data.get("jurisdictions")).items():
        check_keys(doc, ("jurisdictions", jid), body, {"name", "parent"}, {"name"})
        places[jid] = body.get("parent")
    for jid, parent in places.items():
        if parent is not None and parent not in places:
            doc.fail(("jurisdictions", jid, "parent"), f"unknown jurisdiction {parent!r}")
    return places, _names(doc, "organisation_facts"), _names(doc, "site_purposes"), _names(doc, "sectors")


def parse_vendor_groups(doc: Doc, makers: Iterable[str]) -> dict[str, VendorGroup]:
    header(doc, "vocab.vendor_groups", {"groups"})
    known = set(makers)
    out: dict[str, VendorGroup] = {}
    for gid, body in mapping_of(doc, ("groups",), doc.data.get("groups")).items():
        path = ("groups", gid)
        check_keys(
            doc, path, body, {"name", "entities", "manufacturers", "source"}, {"name", "manufacturers"}
        )
        members = _list(
            doc, (*path, "manufacturers"), body["manufacturers"], known, "vocab/manufacturers.yaml"
        )
        out[gid] = VendorGroup(
            id=gid,
            name=text_of(doc, (*path, "name"), body["name"]),
            entities=tuple(_list(doc, (*path, "entities"), body.get("entities", []), None, "")),
            manufacturers=frozenset(members),
            source=_url(doc, (*path, "source"), body.get("source", "")) if "source" in body else "",
        )
    return out


def _list(
    doc: Doc, path: tuple[str | int, ...], value: Any, known: Iterable[str] | None, where: str
) -> list[str]:
    if not isinstance(value, list):
        doc.fail(path, "must be a list")
    allowed = set(known) if known is not None else None
    for i, item in enumerate(value):
        text_of(doc, (*path, i), item)
        if allowed is not None and item not in allowed:
            hint = f" (known: {', '.join(sorted(allowed))})" if len(allowed) < 20 else ""
            doc.fail((*path, i), f"unknown name {item!r}: not in {where}{hint}")
    return list(value)


def _url(doc: Doc, path: tuple[str | int, ...], value: Any) -> str:
    if not isinstance(value, str) or not _URL.match(value):
        doc.fail(path, "must be the URL of a public source")
    return value


def _read_packaged(relative: str) -> Doc:
    path = resources.files("camaudit.data").joinpath(relative)
    return parse_text(path.read_text(encoding="utf-8"), f"data/{relative}")


@functools.cache
def load_policy_vocab() -> PolicyVocab:
    places, facts, purposes, sectors = parse_jurisdictions(_read_packaged("vocab/jurisdictions.yaml"))
    makers = load_vocabulary().manufacturers
    groups = parse_vendor_groups(_read_packaged("vocab/vendor_groups.yaml"), makers)
    return PolicyVocab(
        jurisdictions=types.MappingProxyType(places),
        facts=types.MappingProxyType(facts),
        purposes=types.MappingProxyType(purposes),
        sectors=types.MappingProxyType(sectors),
        groups=types.MappingProxyType(groups),
    )


# --- packs ---------------------------------------------------------------------------------

_PACK_KEYS = {
    "id", "name", "instrument", "jurisdiction", "binds", "vendors", "equipment", "purposes",
    "severity", "requires", "reporting", "note",
}  # fmt: skip
_OBLIGATION_KEYS = {"kind", "text", "source", "since", "by", "max_age_days"}
# What each requirement needs besides kind/text/source.
_NEEDS: Mapping[Requirement, frozenset[str]] = {
    Requirement.NO_PROCUREMENT: frozenset({"since"}),
    Requirement.REMOVE_BY: frozenset({"by"}),
}


def _date(doc: Doc, path: tuple[str | int, ...], value: Any) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        doc.fail(path, "must be a date written YYYY-MM-DD")
    return value


def _choice(doc: Doc, path: tuple[str | int, ...], value: Any, enum: type[StrEnum]) -> Any:
    allowed = [e.value for e in enum]
    if value not in allowed:
        doc.fail(path, f"{value!r} is not one of {', '.join(allowed)}")
    return enum(value)


def _positive(doc: Doc, path: tuple[str | int, ...], value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        doc.fail(path, "must be a whole number of days, 0 or more")
    return value


def _obligation(doc: Doc, path: tuple[str | int, ...], body: Any) -> Obligation:
    check_keys(doc, path, body, _OBLIGATION_KEYS, {"kind", "text", "source"})
    kind = _choice(doc, (*path, "kind"), body["kind"], Requirement)
    for key in sorted(_NEEDS.get(kind, frozenset()) - set(body)):
        doc.fail(path, f"a {kind.value} requirement needs {key!r}")
    return Obligation(
        kind=kind,
        text=text_of(doc, (*path, "text"), body["text"]),
        source=_url(doc, (*path, "source"), body["source"]),
        since=_date(doc, (*path, "since"), body["since"]) if "since" in body else None,
        by=_date(doc, (*path, "by"), body["by"]) if "by" in body else None,
        max_age_days=_positive(doc, (*path, "max_age_days"), body["max_age_days"])
        if "max_age_days" in body
        else None,
    )


def _reporting(doc: Doc, body: Any, vocab: PolicyVocab) -> Reporting:
    path = ("reporting",)
    keys = {"applies_if", "report_business_days", "mitigation_business_days", "source"}
    check_keys(doc, path, body, keys, keys)
    if body["applies_if"] not in vocab.facts:
        doc.fail((*path, "applies_if"), f"unknown organisation fact {body['applies_if']!r}")
    return Reporting(
        applies_if=body["applies_if"],
        report_business_days=_positive(doc, (*path, "report_business_days"), body["report_business_days"]),
        mitigation_business_days=_positive(
            doc, (*path, "mitigation_business_days"), body["mitigation_business_days"]
        ),
        source=_url(doc, (*path, "source"), body["source"]),
    )


def _binds(doc: Doc, body: Any, vocab: PolicyVocab) -> tuple[str, tuple[str, ...]]:
    check_keys(doc, ("binds",), body, {"text", "any_of"}, {"text"})
    facts = _list(
        doc, ("binds", "any_of"), body.get("any_of", []), vocab.facts, "vocab/jurisdictions.yaml facts"
    )
    return text_of(doc, ("binds", "text"), body["text"]), tuple(facts)


def _requires(doc: Doc, value: Any) -> tuple[Obligation, ...]:
    if not isinstance(value, list) or not value:
        doc.fail(("requires",), "must be a non-empty list of requirements")
    return tuple(_obligation(doc, ("requires", i), item) for i, item in enumerate(value))


def parse_pack(doc: Doc, vocab: PolicyVocab | None = None) -> Pack:
    """Validate one pack completely; any problem raises DataFileError naming file, line and key."""
    vocab = vocab or load_policy_vocab()
    sources = header(doc, "policy", _PACK_KEYS)
    data = doc.data
    check_keys(
        doc, (), data, _PACK_KEYS | {"schema", "sources"}, {"id", "name", "binds", "severity", "requires"}
    )
    pack_id = text_of(doc, ("id",), data["id"])
    if not _PACK_ID.match(pack_id):
        doc.fail(("id",), "pack ids are upper-case words joined by '-' (e.g. US-NDAA-889)")
    for i, source in enumerate(sources):
        _url(doc, ("sources", i), source)
    binds_text, binds_any = _binds(doc, data["binds"], vocab)
    return Pack(
        id=pack_id,
        name=text_of(doc, ("name",), data["name"]),
        instrument=str(data.get("instrument", "")),
        binds_text=binds_text,
        severity=_choice(doc, ("severity",), data["severity"], Severity),
        requires=_requires(doc, data["requires"]),
        sources=sources,
        jurisdiction=_jurisdiction(doc, data.get("jurisdiction"), vocab),
        binds_any=binds_any,
        vendors=tuple(
            _list(doc, ("vendors",), data.get("vendors", []), vocab.groups, "vocab/vendor_groups.yaml")
        ),
        equipment=_choice(doc, ("equipment",), data.get("equipment", "video_surveillance"), Equipment),
        purposes=tuple(_list(doc, ("purposes",), data.get("purposes", []), vocab.purposes, "site purposes")),
        reporting=_reporting(doc, data["reporting"], vocab) if "reporting" in data else None,
        note=str(data.get("note", "")),
        file=doc.name,
    )


def _jurisdiction(doc: Doc, value: Any, vocab: PolicyVocab) -> str | None:
    if value is None:
        return None
    if value not in vocab.jurisdictions:
        known = ", ".join(sorted(vocab.jurisdictions))
        doc.fail(
            ("jurisdiction",), f"unknown name {value!r}: not in vocab/jurisdictions.yaml (known: {known})"
        )
    return str(value)


def builtin_pack_names() -> tuple[str, ...]:
    folder = resources.files("camaudit.data").joinpath("policies")
    return tuple(sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml")))


@functools.cache
def builtin_packs() -> Mapping[str, Pack]:
    """Every shipped pack by id (validated; a bad shipped pack fails the whole load)."""
    packs: dict[str, Pack] = {}
    for name in builtin_pack_names():
        pack = parse_pack(_read_packaged(f"policies/{name}"))
        if pack.id in packs:
            raise DataFileError(f"data/policies/{name}:1: id: duplicate pack id {pack.id!r}")
        packs[pack.id] = pack
    return types.MappingProxyType(packs)


def read_pack_file(path: str | Path) -> Pack:
    """A user's own pack, same format and checks as the shipped ones."""
    file = Path(path)
    try:
        text = read_capped(file, MAX_FILE_BYTES).decode("utf-8")
    except TooLarge:
        raise DataFileError(f"{file}:1: <file>: larger than {MAX_FILE_BYTES} bytes") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{file}:1: <file>: cannot read pack ({exc})") from None
    return parse_pack(parse_text(text, str(file)))


def select_packs(ids: Iterable[str], files: Iterable[str | Path] = ()) -> tuple[Pack, ...]:
    """Shipped packs by id plus user pack files; unknown ids and duplicate ids are errors."""
    shipped = builtin_packs()
    chosen: dict[str, Pack] = {}
    for pack_id in ids:
        if pack_id not in shipped:
            raise DataFileError(f"unknown pack {pack_id!r} (shipped: {', '.join(sorted(shipped))})")
        chosen[pack_id] = shipped[pack_id]
    for path in files:
        pack = read_pack_file(path)
        if pack.id in chosen:
            raise DataFileError(f"{path}:1: id: pack id {pack.id!r} is already in use")
        chosen[pack.id] = pack
    return tuple(chosen.values())
