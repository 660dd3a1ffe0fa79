"""The organisation's context from ``camaudit.toml``: who we are, which sites are sensitive, which packs.

Policy outcomes depend on facts only people know (is this a federal contractor, is this site
sensitive). An undeclared fact stays ``None`` and makes an outcome *undetermined*, never silently
"complies". A malformed file fails with ``<file>:<line>: <key>: <reason>``; names (jurisdictions,
facts, purposes, sectors, packs) are checked against the shipped vocabulary.

    [organisation]
    name = "Example Agency"
    jurisdictions = ["US"]
    sector = "central_government"
    federal_contractor = true                     # any fact from vocab/jurisdictions.yaml
    purposes = ["government_facility_security"]  # default for sites without their own
    removal_deadline = 2026-06-30

    [networks]
    internal = ["10.0.0.0/8"]
    core = ["10.1.0.0/16"]      # departmental core networks (UK 2022 statement)

    [egress]
    allowed_countries = ["US", "GB"]

    [packs]
    enabled = ["US-NDAA-889", "KEV-PATCHING"]
    files = ["packs/kev-30-days.yaml"]   # relative to this file

    [[sites]]
    name = "HQ"
    networks = ["10.1.0.0/16"]
    sensitive = true
    purposes = ["government_facility_security"]
    deadline = 2025-12-31

    [register]
    db = "audits.sqlite"        # or postgresql+psycopg://…; a path is relative to this file

`camaudit init` writes a commented file (`template_text`) to fill in; commands read ``./camaudit.toml``
when it exists (`DEFAULT_CONFIG`), and a missing file named on the command line is an error with that hint.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import tomllib
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from camaudit.data.policies import PolicyVocab, builtin_packs, load_policy_vocab
from camaudit.errors import InputError
from camaudit.files import TooLarge, loads_toml, read_capped

MAX_CONFIG_BYTES = 256 * 1024
DEFAULT_CONFIG = Path("camaudit.toml")
INIT_HINT = "`camaudit init` writes a commented camaudit.toml to fill in"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Key = tuple[str | int, ...]
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?")


class ConfigError(InputError):
    """camaudit.toml is malformed; the message names file, line and key."""


@dataclass(frozen=True, slots=True)
class Site:
    """A declared place: its networks, whether it is sensitive, what its cameras are for."""

    name: str
    networks: tuple[Network, ...] = ()
    sensitive: bool | None = None
    purposes: tuple[str, ...] | None = None
    deadline: dt.date | None = None

    def holds(self, address: str) -> bool:
        return _within(address, self.networks)


@dataclass(frozen=True, slots=True)
class Config:
    """Everything camaudit.toml declares; `None` means "not declared"."""

    file: str = "<defaults>"
    name: str = ""
    jurisdictions: tuple[str, ...] = ()
    sector: str | None = None
    facts: Mapping[str, bool] = field(default_factory=dict)
    purposes: tuple[str, ...] | None = None
    removal_deadline: dt.date | None = None
    internal_networks: tuple[Network, ...] = ()
    core_networks: tuple[Network, ...] | None = None
    allowed_countries: frozenset[str] | None = None
    packs: tuple[str, ...] = ()
    pack_files: tuple[Path, ...] = ()
    sites: tuple[Site, ...] = ()
    register_db: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", types.MappingProxyType(dict(self.facts)))

    def fact(self, name: str) -> bool | None:
        return self.facts.get(name)

    def site_of(self, address: str) -> Site | None:
        """The first declared site whose networks hold `address`."""
        return next((s for s in self.sites if s.holds(address)), None)

    def site_named(self, name: str) -> Site | None:
        return next((s for s in self.sites if s.name == name), None)

    def places(self, vocab: PolicyVocab | None = None) -> frozenset[str]:
        """Declared jurisdictions with their parents (US-LA implies US)."""
        parents = (vocab or load_policy_vocab()).jurisdictions
        out: set[str] = set()
        for place in self.jurisdictions:
            current: str | None = place
            while current is not None and current not in out:
                out.add(current)
                current = parents.get(current)
        return frozenset(out)


def _within(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in networks)


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Source:
    """The file text, to point errors at the line of a key (tomllib reports no positions)."""

    name: str
    text: str

    def line(self, key: Key) -> int:
        names = [k for k in key if isinstance(k, str)]
        index = next((k for k in key if isinstance(k, int)), 0)
        if not names:
            return 1
        whole = self._table_line(".".join(names), index)
        if whole is not None:
            return whole + 1
        table = self._table_line(".".join(names[:-1]), index) if len(names) > 1 else None
        return self._key_line(table, names[-1])

    def _table_line(self, name: str, index: int) -> int | None:
        seen = -1
        for number, line in enumerate(self.text.splitlines()):
            match = _HEADER.match(line)
            if match and match.group(2) == name:
                seen += 1
                if seen == index:
                    return number
        return None

    def _key_line(self, table: int | None, leaf: str) -> int:
        """Line of `leaf = ...` inside the table starting at `table` (None: top level)."""
        lines = self.text.splitlines()
        pattern = re.compile(rf"^\s*{re.escape(leaf)}\s*=")
        first = 0 if table is None else table + 1
        for number in range(first, len(lines)):
            if _HEADER.match(lines[number]):
                break
            if pattern.match(lines[number]):
                return number + 1
        return first if table is not None else 1

    def fail(self, key: Key, reason: str) -> NoReturn:
        where = ".".join(str(k) for k in key) or "<file>"
        raise ConfigError(f"{self.name}:{self.line(key)}: {where}: {reason}")


_TABLES = {"organisation", "networks", "egress", "packs", "sites", "register"}
_ORG_KEYS = {"name", "jurisdictions", "sector", "purposes", "removal_deadline"}
_SITE_KEYS = {"name", "networks", "sensitive", "purposes", "deadline"}


def _table(src: _Source, data: Mapping[str, Any], name: str, allowed: set[str]) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        src.fail((name,), "must be a table")
    for key in value:
        if key not in allowed:
            src.fail((name, key), f"unknown key (allowed: {', '.join(sorted(allowed))})")
    return value


def _strings(src: _Source, key: Key, value: Any, known: Iterable[str] | None = None) -> tuple[str, ...]:
    if not isinstance(value, list):
        src.fail(key, "must be a list of strings")
    allowed = set(known) if known is not None else None
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item:
            src.fail((*key, i), "must be a non-empty string")
        if allowed is not None and item not in allowed:
            src.fail(key, f"unknown name {item!r} (known: {', '.join(sorted(allowed))})")
    return tuple(value)


def _networks(src: _Source, key: Key, value: Any) -> tuple[Network, ...]:
    out = []
    for i, text in enumerate(_strings(src, key, value)):
        try:
            out.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            src.fail((*key, i), f"{text!r} is not an address or CIDR network")
    return tuple(out)


def _date(src: _Source, key: Key, value: Any) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        src.fail(key, "must be a TOML date (YYYY-MM-DD, unquoted)")
    return value


def _bool(src: _Source, key: Key, value: Any) -> bool:
    if not isinstance(value, bool):
        src.fail(key, "must be true or false")
    return value


def _organisation(src: _Source, data: Mapping[str, Any], vocab: PolicyVocab) -> dict[str, Any]:
    org = _table(src, data, "organisation", _ORG_KEYS | set(vocab.facts))
    at = ("organisation",)
    sector = org.get("sector")
    if sector is not None and not isinstance(sector, str):
        src.fail((*at, "sector"), "must be a string")
    if sector is not None and sector not in vocab.sectors:
        src.fail((*at, "sector"), f"unknown sector {sector!r} (known: {', '.join(sorted(vocab.sectors))})")
    return {
        "name": str(org.get("name", "")),
        "jurisdictions": _strings(
            src, (*at, "jurisdictions"), org.get("jurisdictions", []), vocab.jurisdictions
        ),
        "sector": sector,
        "facts": {k: _bool(src, (*at, k), v) for k, v in org.items() if k in vocab.facts},
        "purposes": _strings(src, (*at, "purposes"), org["purposes"], vocab.purposes)
        if "purposes" in org
        else None,
        "removal_deadline": _date(src, (*at, "removal_deadline"), org["removal_deadline"])
        if "removal_deadline" in org
        else None,
    }


def _site(src: _Source, index: int, body: Any, vocab: PolicyVocab) -> Site:
    at: Key = ("sites", index)
    if not isinstance(body, dict):
        src.fail(at, "each [[sites]] entry must be a table")
    for key in body:
        if key not in _SITE_KEYS:
            src.fail((*at, key), f"unknown key (allowed: {', '.join(sorted(_SITE_KEYS))})")
    if not isinstance(body.get("name"), str) or not body["name"]:
        src.fail((*at, "name"), "every site needs a non-empty name")
    return Site(
        name=body["name"],
        networks=_networks(src, (*at, "networks"), body.get("networks", [])),
        sensitive=_bool(src, (*at, "sensitive"), body["sensitive"]) if "sensitive" in body else None,
        purposes=_strings(src, (*at, "purposes"), body["purposes"], vocab.purposes)
        if "purposes" in body
        else None,
        deadline=_date(src, (*at, "deadline"), body["deadline"]) if "deadline" in body else None,
    )


def _sites(src: _Source, data: Mapping[str, Any], vocab: PolicyVocab) -> tuple[Site, ...]:
    value = data.get("sites", [])
    if not isinstance(value, list):
        src.fail(("sites",), "use [[sites]] tables")
    sites = tuple(_site(src, i, body, vocab) for i, body in enumerate(value))
    names = [s.name for s in sites]
    for i, name in enumerate(names):
        if name in names[:i]:
            src.fail(("sites", i, "name"), f"duplicate site name {name!r}")
    return sites


def _countries(src: _Source, data: Mapping[str, Any]) -> frozenset[str] | None:
    egress = _table(src, data, "egress", {"allowed_countries"})
    if "allowed_countries" not in egress:
        return None
    codes = _strings(src, ("egress", "allowed_countries"), egress["allowed_countries"])
    for code in codes:
        if not _COUNTRY.match(code):
            src.fail(
                ("egress", "allowed_countries"), f"{code!r} is not an ISO 3166 two-letter code (upper case)"
            )
    return frozenset(codes)


def _packs(src: _Source, data: Mapping[str, Any], base: Path) -> tuple[tuple[str, ...], tuple[Path, ...]]:
    packs = _table(src, data, "packs", {"enabled", "files"})
    enabled = _strings(src, ("packs", "enabled"), packs.get("enabled", []), builtin_packs())
    files = _strings(src, ("packs", "files"), packs.get("files", []))
    return enabled, tuple(base / f for f in files)


def parse_config(text: str, name: str, base: Path | None = None) -> Config:
    """Parse and validate camaudit.toml text; `base` resolves relative pack files."""
    src = _Source(name, text)
    if len(text.encode()) > MAX_CONFIG_BYTES:
        src.fail((), f"larger than {MAX_CONFIG_BYTES} bytes")
    try:
        data = loads_toml(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise ConfigError(
            f"{name}:{found.group(1) if found else 1}: <file>: not valid TOML ({exc})"
        ) from None
    for key in data:
        if key not in _TABLES:
            src.fail((key,), f"unknown table (allowed: {', '.join(sorted(_TABLES))})")
    vocab = load_policy_vocab()
    networks = _table(src, data, "networks", {"internal", "core"})
    enabled, files = _packs(src, data, base or Path("."))
    return Config(
        file=name,
        **_organisation(src, data, vocab),
        internal_networks=_networks(src, ("networks", "internal"), networks.get("internal", [])),
        core_networks=_networks(src, ("networks", "core"), networks["core"]) if "core" in networks else None,
        allowed_countries=_countries(src, data),
        packs=enabled,
        pack_files=files,
        sites=_sites(src, data, vocab),
        register_db=_register_db(src, data, base or Path(".")),
    )


def _register_db(src: _Source, data: Mapping[str, Any], base: Path) -> str | None:
    """`[register] db`: a SQLAlchemy URL as given, or a path relative to the config file."""
    table = _table(src, data, "register", {"db"})
    if "db" not in table:
        return None
    value = table["db"]
    if not isinstance(value, str) or not value:
        src.fail(("register", "db"), "must be a file path or a database URL")
    return value if "://" in value else str(base / Path(value).expanduser())


def load_config(path: str | Path) -> Config:
    """Read camaudit.toml from disk (bounded: a pipe or device file is read up to the cap, no further);
    a missing file says how to write one."""
    file = Path(path)
    if not file.exists():
        raise ConfigError(f"{file}: no such file ({INIT_HINT})")
    try:
        text = read_capped(file, MAX_CONFIG_BYTES).decode("utf-8")
    except TooLarge:
        raise ConfigError(f"{file}:1: <file>: larger than {MAX_CONFIG_BYTES} bytes") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}:1: <file>: cannot read ({exc})") from None
    return parse_config(text, str(file), file.parent)


def with_sites(config: Config, names: Sequence[str]) -> tuple[Site, ...]:
    """The declared sites called `names`; an unknown name is an error."""
    out = []
    for name in names:
        site = config.site_named(name)
        if site is None:
            known = ", ".join(s.name for s in config.sites) or "none declared"
            raise ConfigError(f"{config.file}:1: sites: no site named {name!r} (known: {known})")
        out.append(site)
    return tuple(out)


def template_text() -> str:
    """The commented camaudit.toml that `camaudit init` writes (it parses as it is)."""
    from importlib import resources

    return resources.files("camaudit.data").joinpath("examples", "template.toml").read_text(encoding="utf-8")


def find_config(path: str | Path | None = None) -> Config | None:
    """The config named, else ./camaudit.toml when it exists, else None (nothing declared)."""
    if path:
        return load_config(path)
    return load_config(DEFAULT_CONFIG) if DEFAULT_CONFIG.is_file() else None
