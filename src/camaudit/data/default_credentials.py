"""Vendor default accounts as data (`data/credentials/defaults.yaml`), for the opt-in check.

Per device family (true manufacturer): one protocol, one fixed read-only path, and at most two
``username``/``password`` pairs, each with the public source that documents it. The loader enforces
the two-pair budget and rejects unknown keys, manufacturers outside the vocabulary and pairs without
a URL source, with ``file:line: key: reason`` (load.py's helpers, STYLE.md R7).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources

from camaudit.data.load import Doc, Path, check_keys, header, load_vocabulary, parse_text, text_of

KIND = "default_credentials"
MAX_PAIRS = 2  # at most two vendor-default pairs per device: far below any lockout threshold
PROTOCOLS = frozenset({"http-digest"})
_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True, slots=True)
class DefaultPair:
    """One factory account; the password is hidden from repr."""

    username: str
    source: str
    note: str = ""
    password: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class Lockout:
    """A vendor's login lockout: `after` failures lock; failures older than `forget_after_hours` are
    taken as forgotten (the device's counter has reset) when counting failures across audits."""

    after: int
    forget_after_hours: float
    source: str


DEFAULT_LOCKOUT = Lockout(3, 24, "https://www.manua.ls/hikvision/ds-pea22-f/manual?p=76")


@dataclass(frozen=True, slots=True)
class Family:
    """The defaults of one manufacturer's firmware."""

    manufacturer: str
    protocol: str
    path: str
    pairs: tuple[DefaultPair, ...]
    lockout: Lockout = DEFAULT_LOCKOUT


def _pair(doc: Doc, path: Path, body: object) -> DefaultPair:
    d = check_keys(
        doc, path, body, {"username", "password", "source", "note"}, {"username", "password", "source"}
    )
    source = text_of(doc, (*path, "source"), d["source"])
    if not _URL.match(source):
        doc.fail((*path, "source"), "must be the URL of a public page documenting this default")
    return DefaultPair(
        username=text_of(doc, (*path, "username"), d["username"]),
        password=text_of(doc, (*path, "password"), d["password"]),
        source=source,
        note=str(d.get("note", "")),
    )


def _family(doc: Doc, path: Path, body: object, makers: frozenset[str]) -> Family:
    d = check_keys(
        doc,
        path,
        body,
        {"manufacturer", "protocol", "path", "pairs", "lockout"},
        {"manufacturer", "protocol", "path", "pairs", "lockout"},
    )
    maker = text_of(doc, (*path, "manufacturer"), d["manufacturer"])
    if maker not in makers:
        doc.fail((*path, "manufacturer"), f"{maker!r} is not in vocab/manufacturers.yaml")
    protocol = text_of(doc, (*path, "protocol"), d["protocol"])
    if protocol not in PROTOCOLS:
        doc.fail((*path, "protocol"), f"unknown protocol (known: {', '.join(sorted(PROTOCOLS))})")
    target = text_of(doc, (*path, "path"), d["path"])
    if not target.startswith("/") or any(c in target for c in " \r\n"):
        doc.fail((*path, "path"), "must be a fixed absolute path without spaces")
    pairs = d["pairs"]
    if not isinstance(pairs, list) or not 1 <= len(pairs) <= MAX_PAIRS:
        doc.fail((*path, "pairs"), f"must list 1 to {MAX_PAIRS} pairs")
    return Family(
        maker,
        protocol,
        target,
        tuple(_pair(doc, (*path, "pairs", i), p) for i, p in enumerate(pairs)),
        _lockout(doc, (*path, "lockout"), d["lockout"]),
    )


def _lockout(doc: Doc, path: Path, body: object) -> Lockout:
    d = check_keys(doc, path, body, {"after", "forget_after_hours", "source"}, {"after", "source"})
    after, hours = d["after"], d.get("forget_after_hours", 24)
    if not isinstance(after, int) or isinstance(after, bool) or not 2 <= after <= 100:
        doc.fail((*path, "after"), "must be the number of failures that lock (2 to 100)")
    if not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 < hours <= 24 * 30:
        doc.fail((*path, "forget_after_hours"), "must be hours (more than 0, at most 720)")
    source = text_of(doc, (*path, "source"), d["source"])
    if not _URL.match(source):
        doc.fail((*path, "source"), "must be the URL of a public page documenting this lockout")
    return Lockout(after, float(hours), source)


def parse_defaults(doc: Doc) -> dict[str, Family]:
    """Validate the file; one family per manufacturer."""
    header(doc, KIND, {"families"})
    makers = frozenset(load_vocabulary().manufacturers)
    families = doc.data.get("families")
    if not isinstance(families, list) or not families:
        doc.fail(("families",), "must be a non-empty list")
    out: dict[str, Family] = {}
    for i, body in enumerate(families):
        family = _family(doc, ("families", i), body, makers)
        if family.manufacturer in out:
            doc.fail(("families", i, "manufacturer"), "one family per manufacturer")
        out[family.manufacturer] = family
    return out


@functools.cache
def load_defaults() -> dict[str, Family]:
    """The packaged defaults, validated once per process."""
    path = resources.files("camaudit.data").joinpath("credentials/defaults.yaml")
    return parse_defaults(parse_text(path.read_text(encoding="utf-8"), "data/credentials/defaults.yaml"))
