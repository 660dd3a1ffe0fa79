"""Vendor clouds, P2P, DDNS, NTP, STUN and cloud providers as data (`data/endpoints/*.yaml`).

Each entry says how a destination is recognised: by name (a domain suffix matched on label
boundaries), by port or payload prefix (only for devices of the entry's `families`: a bare port
says nothing about a device from another maker), or by network owner (the ASN name of the
offline GeoIP data). Every entry cites the public page it rests on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from camaudit.data.load import Doc, Path, check_keys, header, parse_text, text_of

KIND = "endpoints"
CATEGORIES = frozenset(
    {"vendor_cloud", "vendor_p2p", "vendor_ddns", "vendor_ntp", "ntp", "stun_relay", "cloud_provider"}
)
_KEYS = {
    "id",
    "name",
    "category",
    "operator",
    "owner_country",
    "families",
    "domains",
    "ports",
    "prefixes",
    "owners",
    "source",
    "note",
}
_PORT = re.compile(r"^(tcp|udp)/(\d{1,5})$")
_DOMAIN = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}$")
_URL = re.compile(r"^https?://\S+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One sourced endpoint group.

    Attributes:
        id: unique kebab id.
        name: what it is, for people.
        category: one of CATEGORIES; ``vendor_*`` means a camera maker's own service.
        operator: who runs it (vocabulary id for camera makers, a company name otherwise).
        owner_country: ISO code of the company running it (not where its servers are).
        families: device manufacturers (vocabulary ids) for whom ports/prefixes alone classify.
        domains: lower-case domain suffixes.
        ports: ``(transport, port)`` pairs.
        prefixes: payload prefixes (bytes) of the device's first datagram/segment in a flow.
        owners: case-folded substrings of a network owner name.
        source: the public page.
    """

    id: str
    name: str
    category: str
    operator: str | None
    owner_country: str | None
    families: frozenset[str]
    domains: tuple[str, ...]
    ports: frozenset[tuple[str, int]]
    prefixes: tuple[bytes, ...]
    owners: tuple[str, ...]
    source: str

    @property
    def is_vendor(self) -> bool:
        return self.category.startswith("vendor_")


@dataclass(frozen=True, slots=True)
class Match:
    """Why a destination got its class: the endpoint and the kind of tell (name/port/prefix/owner)."""

    endpoint: Endpoint
    by: str
    value: str


def _list(doc: Doc, path: Path, value: Any) -> list[str]:
    if not isinstance(value, list):
        doc.fail(path, "must be a list")
    return [text_of(doc, (*path, i), v) for i, v in enumerate(value)]


def _checked(doc: Doc, path: Path, values: list[str], pattern: re.Pattern[str], what: str) -> list[str]:
    for i, v in enumerate(values):
        if not pattern.match(v):
            doc.fail((*path, i), f"not a {what}: {v!r}")
    return values


def _ports(doc: Doc, path: Path, value: Any) -> frozenset[tuple[str, int]]:
    found: set[tuple[str, int]] = set()
    for i, text in enumerate(_list(doc, path, value)):
        m = _PORT.match(text)
        if not m or not 0 < int(m.group(2)) < 65536:
            doc.fail((*path, i), f"port must look like tcp/8666 or udp/8800, got {text!r}")
        found.add((m.group(1), int(m.group(2))))
    return frozenset(found)


def _optional(doc: Doc, path: Path, body: dict[str, Any], key: str) -> str | None:
    return text_of(doc, (*path, key), body[key]) if key in body else None


def _endpoint(doc: Doc, path: Path, body: Any) -> Endpoint:
    body = check_keys(doc, path, body, _KEYS, {"id", "name", "category", "source"})
    if body["category"] not in CATEGORIES:
        doc.fail((*path, "category"), f"unknown category (allowed: {', '.join(sorted(CATEGORIES))})")
    if not _URL.match(str(body["source"])):
        doc.fail((*path, "source"), "source must be the URL of a public page")
    country = _optional(doc, path, body, "owner_country")
    if country is not None and not _COUNTRY.match(country):
        doc.fail((*path, "owner_country"), "must be a two-letter upper-case ISO code")
    domains = _checked(
        doc,
        (*path, "domains"),
        _list(doc, (*path, "domains"), body.get("domains", [])),
        _DOMAIN,
        "lower-case domain",
    )
    return Endpoint(
        id=text_of(doc, (*path, "id"), body["id"]),
        name=text_of(doc, (*path, "name"), body["name"]),
        category=body["category"],
        operator=_optional(doc, path, body, "operator"),
        owner_country=country,
        families=frozenset(_list(doc, (*path, "families"), body.get("families", []))),
        domains=tuple(domains),
        ports=_ports(doc, (*path, "ports"), body.get("ports", [])),
        prefixes=tuple(
            p.encode("latin-1") for p in _list(doc, (*path, "prefixes"), body.get("prefixes", []))
        ),
        owners=tuple(o.casefold() for o in _list(doc, (*path, "owners"), body.get("owners", []))),
        source=body["source"],
    )


def parse_endpoints(doc: Doc) -> tuple[Endpoint, ...]:
    """Validate one endpoints file; errors name the file, line and key."""
    header(doc, KIND, {"endpoints"})
    entries = doc.data["endpoints"]
    if not isinstance(entries, list) or not entries:
        doc.fail(("endpoints",), "must be a non-empty list")
    found = tuple(_endpoint(doc, ("endpoints", i), e) for i, e in enumerate(entries))
    for ep in found:
        if (ep.ports or ep.prefixes) and not ep.families and ep.category.startswith("vendor_"):
            doc.fail(("endpoints",), f"{ep.id}: vendor ports/prefixes need `families`")
    return found


@dataclass(frozen=True, slots=True)
class EndpointTable:
    """All endpoint groups; lookups by name, by flow and by network owner."""

    endpoints: tuple[Endpoint, ...]

    def by_name(self, name: str) -> Match | None:
        """The most specific (longest) domain suffix matching `name` on a label boundary."""
        host = name.strip().rstrip(".").lower()
        best: tuple[int, Endpoint, str] | None = None
        for ep in self.endpoints:
            for dom in ep.domains:
                if (host == dom or host.endswith("." + dom)) and (best is None or len(dom) > best[0]):
                    best = (len(dom), ep, dom)
        return Match(best[1], "name", host) if best else None

    def by_flow(self, families: Iterable[str], transport: str, port: int, prefix: bytes) -> Match | None:
        """A payload prefix (any device: a protocol's own bytes), else a port of the device's family."""
        fams = set(families)
        for ep in self.endpoints:
            for p in ep.prefixes:
                if prefix.startswith(p):
                    return Match(ep, "prefix", p.decode("latin-1"))
        for ep in self.endpoints:
            if ep.families & fams and (transport, port) in ep.ports:
                return Match(ep, "port", f"{transport}/{port}")
        return self._generic_port(transport, port)

    def _generic_port(self, transport: str, port: int) -> Match | None:
        # Family-free services (NTP, STUN) are what their port says, whoever the device is.
        for ep in self.endpoints:
            if not ep.families and not ep.is_vendor and (transport, port) in ep.ports:
                return Match(ep, "port", f"{transport}/{port}")
        return None

    def by_owner(self, owner: str | None) -> Match | None:
        if not owner:
            return None
        folded = owner.casefold()
        for ep in self.endpoints:
            if any(o in folded for o in ep.owners):
                return Match(ep, "owner", owner)
        return None


def endpoint_file_names() -> tuple[str, ...]:
    folder = resources.files("camaudit.data").joinpath("endpoints")
    return tuple(sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml")))


@functools.cache
def load_endpoints() -> EndpointTable:
    """Every packaged endpoints file, ids unique across files. Loaded once per process."""
    found: list[Endpoint] = []
    folder = resources.files("camaudit.data").joinpath("endpoints")
    for name in endpoint_file_names():
        doc = parse_text(folder.joinpath(name).read_text(encoding="utf-8"), f"data/endpoints/{name}")
        for ep in parse_endpoints(doc):
            if any(ep.id == seen.id for seen in found):
                doc.fail(("endpoints",), f"duplicate id {ep.id!r}")
            found.append(ep)
    return EndpointTable(tuple(found))
