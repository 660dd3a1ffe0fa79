"""Vulnerability knowledge as data (`data/cves/*.yaml`), one entry per CVE.

Each entry names the true manufacturer it applies to (OEM rebrands inherit it: matching is on
`Device.manufacturer`, never on the label brand), its affected product lines (a model regex, device
types, firmware ranges with inclusive/exclusive bounds on version and/or build date), fixed versions,
CVSS, the CISA and VulnCheck KEV flags, the public references it comes from, the id of a safe read-only
verification (or null) and the remediation. A malformed file fails with ``file:line: key: reason``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from camaudit.data.load import Doc, Path, check_keys, header, parse_text, text_of
from camaudit.errors import DataFileError
from camaudit.model import Severity
from camaudit.values import Firmware, parse_firmware

KIND = "cves"
FILES = ("hikvision.yaml", "dahua.yaml", "amcrest.yaml")
_CVE_ID = re.compile(r"^CVE-\d{4}-\d{4,7}$")
_CHECK_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://\S+$")
_VECTOR = re.compile(r"^(CVSS:3\.[01]/)?AV:[NALP]/AC:[LH]/(PR|Au):[A-Z]/(UI|C):[A-Z]/\S+$")
_CVE_KEYS = {"title", "manufacturer", "severity", "cvss", "kev", "affected", "fixed"}
_CVE_KEYS |= {"check", "check_note", "remediation", "references"}
_LINE_KEYS = {"product", "model", "device_types", "firmware", "fixed", "note"}
_RANGE_KEYS = {"from", "after", "to", "before", "built_from", "built_before"}


@dataclass(frozen=True, slots=True)
class Range:
    """A firmware range; every bound is optional, at least one is set (the loader checks).

    Attributes:
        low, low_inclusive: the lowest affected firmware (``from`` inclusive, ``after`` exclusive).
        high, high_inclusive: the highest affected firmware (``to`` inclusive, ``before`` exclusive).
        built_from, built_before: build date bounds (inclusive, exclusive).
    """

    low: Firmware | None = None
    low_inclusive: bool = True
    high: Firmware | None = None
    high_inclusive: bool = False
    built_from: date | None = None
    built_before: date | None = None


@dataclass(frozen=True, slots=True)
class Cvss:
    version: str
    score: float
    vector: str


@dataclass(frozen=True, slots=True)
class Kev:
    """Known-exploited flags: CISA's catalogue (dates) and VulnCheck's broader list."""

    cisa_added: date | None = None
    cisa_due: date | None = None
    vulncheck: bool = False

    @property
    def cisa(self) -> bool:
        return self.cisa_added is not None


@dataclass(frozen=True, slots=True)
class ProductLine:
    """One affected product line.

    Attributes:
        product: its name for people (``DS-2CD2xx2F-I series``).
        model: a regex over `Device.model`, or None for every model of the maker (OEM models included).
        device_types: vocabulary ids it applies to; empty for any.
        ranges: affected firmware; empty means every firmware of the line.
        fixed: the first fixed firmware, when the advisory names it.
        note: caveats people must read (approximate range, per-model tables).
    """

    product: str
    model: re.Pattern[str] | None
    device_types: frozenset[str]
    ranges: tuple[Range, ...]
    fixed: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Cve:
    id: str
    title: str
    manufacturer: str
    severity: Severity
    cvss: Cvss | None
    kev: Kev
    affected: tuple[ProductLine, ...]
    fixed: tuple[str, ...]
    check: str | None
    check_note: str
    remediation: str
    references: tuple[str, ...]

    @property
    def check_id(self) -> str:
        return self.id.lower()


def _firmware(doc: Doc, path: Path, value: Any) -> Firmware:
    fw = parse_firmware(text_of(doc, path, value))
    if fw is None:
        doc.fail(path, f"{value!r} is not a Hikvision or Dahua firmware spelling")
    return fw


def _date(doc: Doc, path: Path, value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        doc.fail(path, f"{value!r} is not a date (YYYY-MM-DD)")


def _range(doc: Doc, path: Path, value: Any) -> Range:
    data = check_keys(doc, path, value, _RANGE_KEYS, set())
    if not data:
        doc.fail(path, "a range needs at least one bound")
    for pair in (("from", "after"), ("to", "before")):
        if set(pair) <= set(data):
            doc.fail(path, f"use {pair[0]!r} or {pair[1]!r}, not both")
    low_key = "from" if "from" in data else "after"
    high_key = "to" if "to" in data else "before"
    return Range(
        low=_firmware(doc, (*path, low_key), data[low_key]) if low_key in data else None,
        low_inclusive=low_key == "from",
        high=_firmware(doc, (*path, high_key), data[high_key]) if high_key in data else None,
        high_inclusive=high_key == "to",
        built_from=_date(doc, (*path, "built_from"), data["built_from"]) if "built_from" in data else None,
        built_before=_date(doc, (*path, "built_before"), data["built_before"])
        if "built_before" in data
        else None,
    )


def _regex(doc: Doc, path: Path, value: Any) -> re.Pattern[str] | None:
    if value is None:
        return None
    try:
        return re.compile(text_of(doc, path, value), re.IGNORECASE)
    except re.error as exc:
        doc.fail(path, f"regex does not compile: {exc}")


def _strings(doc: Doc, path: Path, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        doc.fail(path, "must be a list")
    return tuple(text_of(doc, (*path, i), v) for i, v in enumerate(value))


def _line(doc: Doc, path: Path, value: Any, types: frozenset[str]) -> ProductLine:
    data = check_keys(doc, path, value, _LINE_KEYS, {"product", "firmware"})
    kinds = frozenset(_strings(doc, (*path, "device_types"), data.get("device_types", [])))
    for i, kind in enumerate(sorted(kinds - types)):
        doc.fail((*path, "device_types", i), f"unknown device type {kind!r}")
    ranges = data["firmware"]
    if not isinstance(ranges, list):
        doc.fail((*path, "firmware"), "must be a list of ranges (empty: every firmware)")
    return ProductLine(
        product=text_of(doc, (*path, "product"), data["product"]),
        model=_regex(doc, (*path, "model"), data.get("model")),
        device_types=kinds,
        ranges=tuple(_range(doc, (*path, "firmware", i), r) for i, r in enumerate(ranges)),
        fixed=text_of(doc, (*path, "fixed"), data["fixed"]) if data.get("fixed") else None,
        note=text_of(doc, (*path, "note"), data["note"]) if data.get("note") else None,
    )


def _cvss(doc: Doc, path: Path, value: Any) -> Cvss | None:
    if value is None:
        return None
    data = check_keys(doc, path, value, {"version", "score", "vector"}, {"version", "score", "vector"})
    score = data["score"]
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 10:
        doc.fail((*path, "score"), "must be a number 0-10")
    vector = text_of(doc, (*path, "vector"), data["vector"])
    if not _VECTOR.match(vector):
        doc.fail((*path, "vector"), f"{vector!r} is not a CVSS vector")
    return Cvss(str(data["version"]), float(score), vector)


def _kev(doc: Doc, path: Path, value: Any) -> Kev:
    data = check_keys(doc, path, value, {"cisa_added", "cisa_due", "vulncheck"}, {"vulncheck"})
    if not isinstance(data["vulncheck"], bool):
        doc.fail((*path, "vulncheck"), "must be true or false")
    added = _date(doc, (*path, "cisa_added"), data["cisa_added"]) if data.get("cisa_added") else None
    due = _date(doc, (*path, "cisa_due"), data["cisa_due"]) if data.get("cisa_due") else None
    return Kev(added, due, data["vulncheck"])


def _urls(doc: Doc, path: Path, value: Any) -> tuple[str, ...]:
    urls = _strings(doc, path, value)
    for i, url in enumerate(urls):
        if not _URL.match(url):
            doc.fail((*path, i), "must be the URL of a public advisory or record")
    if not urls:
        doc.fail(path, "must name at least one public reference")
    return urls


def _check(doc: Doc, path: Path, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _CHECK_ID.match(value):
        doc.fail(path, "must be a verification id (kebab-case) or null")
    return value


def _severity(doc: Doc, path: Path, value: Any) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        doc.fail(path, f"must be one of {', '.join(s.value for s in Severity)}")


def _makers(doc: Doc, path: Path, value: Any, makers: frozenset[str]) -> str:
    maker = text_of(doc, path, value)
    if maker not in makers:
        doc.fail(path, f"unknown manufacturer {maker!r} (vocab/manufacturers.yaml)")
    return maker


def parse_cve(doc: Doc, cve_id: str, value: Any, makers: frozenset[str], types: frozenset[str]) -> Cve:
    path: Path = ("cves", cve_id)
    if not _CVE_ID.match(cve_id):
        doc.fail(path, "must be a CVE id (CVE-YYYY-NNNN)")
    required = _CVE_KEYS - {"cvss", "check_note", "fixed"}
    data = check_keys(doc, path, value, _CVE_KEYS, required)
    lines = data["affected"]
    if not isinstance(lines, list) or not lines:
        doc.fail((*path, "affected"), "must be a non-empty list of product lines")
    return Cve(
        id=cve_id,
        title=text_of(doc, (*path, "title"), data["title"]),
        manufacturer=_makers(doc, (*path, "manufacturer"), data["manufacturer"], makers),
        severity=_severity(doc, (*path, "severity"), data["severity"]),
        cvss=_cvss(doc, (*path, "cvss"), data.get("cvss")),
        kev=_kev(doc, (*path, "kev"), data["kev"]),
        affected=tuple(_line(doc, (*path, "affected", i), v, types) for i, v in enumerate(lines)),
        fixed=_strings(doc, (*path, "fixed"), data.get("fixed", [])),
        check=_check(doc, (*path, "check"), data["check"]),
        check_note=str(data.get("check_note") or ""),
        remediation=text_of(doc, (*path, "remediation"), data["remediation"]),
        references=_urls(doc, (*path, "references"), data["references"]),
    )


def parse_cves(doc: Doc, makers: frozenset[str], types: frozenset[str]) -> tuple[Cve, ...]:
    """Validate one CVE file (schema ``camaudit.cves/1``) and return its entries."""
    header(doc, KIND, {"cves"})
    entries = doc.data.get("cves")
    if not isinstance(entries, dict) or not entries:
        doc.fail(("cves",), "must be a non-empty mapping of CVE id -> entry")
    return tuple(parse_cve(doc, str(k), v, makers, types) for k, v in entries.items())


def parse_cve_text(text: str, name: str) -> tuple[Cve, ...]:
    """Parse a CVE file's text (a user-supplied file gets the same checks and size cap)."""
    from camaudit.data.load import load_vocabulary

    vocab = load_vocabulary()
    return parse_cves(parse_text(text, name), frozenset(vocab.manufacturers), frozenset(vocab.device_types))


@functools.cache
def load_cves() -> tuple[Cve, ...]:
    """Every packaged CVE, validated once per process; a CVE id appears in one file only."""
    folder = resources.files("camaudit.data").joinpath("cves")
    found: dict[str, Cve] = {}
    for name in FILES:
        for cve in parse_cve_text(folder.joinpath(name).read_text(encoding="utf-8"), f"cves/{name}"):
            if cve.id in found:
                raise DataFileError(f"cves/{name}:1: {cve.id}: defined in two files")
            found[cve.id] = cve
    return tuple(found.values())
