"""Lab device profiles: one YAML file per emulated device in `camaudit/lab/profiles/`.

A profile says what a real device answers on each port, which public sources those answers come
from (required), the MAC (from the real vendor's IEEE OUI) and what a correct audit must conclude
(`expected`). The loader is strict: unknown keys fail with the file and the key (STYLE.md R7).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from camaudit.errors import DataFileError
from camaudit.lab import spec, spec_auth, spec_discovery
from camaudit.lab.spec import HttpRoute, Where, check_keys, str_list, want
from camaudit.values import normalise_mac

SCHEMA = "camaudit.lab.profile/1"
PROFILE_DIR = Path(__file__).parent / "profiles"
MAX_FILE = 1024 * 1024

MANUFACTURERS = frozenset(
    [
        "hikvision",
        "dahua",
        "ezviz",
        "hiwatch",
        "hilook",
        "lts",
        "annke",
        "lorex",
        "amcrest",
        "imou",
        "axis",
        "bosch",
        "hanwha",
        "uniview",
        "hp",
    ]
)
DEVICE_TYPES = frozenset(
    ["ip_camera", "nvr", "dvr", "doorbell", "intercom", "printer", "web_server", "other"]
)

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_TOP_KEYS = {"schema", "id", "description", "sources", "mac", "expected", "services"}
# spec_auth: accounts, lockout, Digest-only routes; `default_lab: false` keeps a device out of the
# default lab (every profile: the demo and the test session's lab) so only those who name it serve it.
_OPTIONAL_KEYS = {"credentials", "authenticated", "default_lab"}
_EXPECTED_KEYS = {"manufacturer", "brand", "model", "firmware", "device_type", "is_camera"}

ServiceSpec = (
    spec.HttpSpec
    | spec.RtspSpec
    | spec_discovery.SadpSpec
    | spec_discovery.DhipSpec
    | spec_discovery.DvripLegacySpec
    | spec_discovery.DvripSpec
    | spec_discovery.HikSdkSpec
    | spec_discovery.WsdSpec
    | spec_discovery.SsdpSpec
    | spec_discovery.MdnsSpec
    | spec_discovery.RawSpec
)

# protocol -> (transport, spec parser); the lab's servers register under the same names.
_PARSERS: dict[str, tuple[str, Callable[[Where, Any, Path], ServiceSpec]]] = {
    "http": ("tcp", lambda w, d, b: spec.http_spec(w, d, b, tls_required=False)),
    "https": ("tcp", lambda w, d, b: spec.http_spec(w, d, b, tls_required=True)),
    "rtsp": ("tcp", lambda w, d, b: spec.rtsp_spec(w, d)),
    "sadp": ("udp", lambda w, d, b: spec_discovery.sadp_spec(w, d)),
    "dhip": ("udp", lambda w, d, b: spec_discovery.dhip_spec(w, d)),
    "dvrip-legacy": ("udp", lambda w, d, b: spec_discovery.dvrip_legacy_spec(w, d)),
    "dvrip": ("tcp", lambda w, d, b: spec_discovery.dvrip_spec(w, d)),
    "hiksdk": ("tcp", lambda w, d, b: spec_discovery.hiksdk_spec(w, d)),
    "wsdiscovery": ("udp", lambda w, d, b: spec_discovery.wsd_spec(w, d)),
    "ssdp": ("udp", lambda w, d, b: spec_discovery.ssdp_spec(w, d)),
    "mdns": ("udp", lambda w, d, b: spec_discovery.mdns_spec(w, d)),
    "raw": ("tcp", lambda w, d, b: spec_discovery.raw_spec(w, d)),
}
PROTOCOLS = tuple(_PARSERS)


@dataclass(frozen=True, slots=True)
class Expected:
    """What a correct audit must conclude about the device (None where it cannot know)."""

    manufacturer: str | None
    brand: str | None
    model: str | None
    firmware: str | None
    device_type: str | None
    is_camera: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in sorted(_EXPECTED_KEYS)}


@dataclass(frozen=True, slots=True)
class Service:
    """One port of a device: `protocol` names the lab server that serves `spec`."""

    port: int
    transport: str
    protocol: str
    spec: ServiceSpec

    @property
    def key(self) -> str:
        return f"{self.port}/{self.transport}"


@dataclass(frozen=True, slots=True)
class Profile:
    """One emulated device."""

    id: str
    description: str
    sources: tuple[str, ...]
    mac: str
    expected: Expected
    services: tuple[Service, ...]
    path: str = ""
    credentials: spec_auth.CredentialsSpec | None = None
    authenticated: Mapping[str, HttpRoute] | None = None
    default_lab: bool = True


def load_profile(path: Path) -> Profile:
    """Read and validate one profile file; DataFileError names the file and the key on any problem."""
    data = _read_yaml(path)
    where = Where(path)
    d = check_keys(where, data, _TOP_KEYS | _OPTIONAL_KEYS, _TOP_KEYS)
    if ("authenticated" in d) != ("credentials" in d):
        raise where.error("'authenticated' and 'credentials' go together")
    if d["schema"] != SCHEMA:
        raise where.child("schema").error(f"expected {SCHEMA!r}, got {d['schema']!r}")
    ident = want(where.child("id"), d["id"], str)
    if ident != path.stem or not _ID.match(ident):
        raise where.child("id").error(f"id {ident!r} must be kebab-case and equal the file name")
    sources = str_list(where.child("sources"), d["sources"])
    if not sources or any(not s.strip() for s in sources):
        raise where.child("sources").error("at least one public source is required")
    return Profile(
        id=ident,
        description=want(where.child("description"), d["description"], str),
        sources=sources,
        mac=_mac(where.child("mac"), d["mac"]),
        expected=_expected(where.child("expected"), d["expected"]),
        services=_services(where.child("services"), d["services"], path.parent),
        path=str(path),
        credentials=spec_auth.credentials_spec(where.child("credentials"), d["credentials"])
        if "credentials" in d
        else None,
        authenticated=spec_auth.authenticated_routes(
            where.child("authenticated"), d["authenticated"], path.parent
        )
        if "authenticated" in d
        else None,
        default_lab=want(where.child("default_lab"), d.get("default_lab", True), bool),
    )


def _read_yaml(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read: {exc.strerror}") from exc
    if len(raw) > MAX_FILE:
        raise DataFileError(f"{path}: larger than {MAX_FILE} bytes")
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: not valid YAML: {exc}") from exc


def _mac(where: Where, value: Any) -> str:
    mac = want(where, value, str)
    if normalise_mac(mac) != mac:  # profiles spell it the one way camaudit prints it
        raise where.error(f"not a lower-case aa:bb:cc:dd:ee:ff MAC: {mac!r}")
    return str(mac)


def _expected(where: Where, data: Any) -> Expected:
    d = check_keys(where, data, _EXPECTED_KEYS, _EXPECTED_KEYS)
    for key, vocab in (
        ("manufacturer", MANUFACTURERS),
        ("brand", MANUFACTURERS),
        ("device_type", DEVICE_TYPES),
    ):
        if d[key] is not None and d[key] not in vocab:
            raise where.child(key).error(f"{d[key]!r} is not in the vocabulary ({', '.join(sorted(vocab))})")
    for key in ("model", "firmware"):
        if d[key] is not None:
            want(where.child(key), d[key], str)
    if d["is_camera"] is not None:
        want(where.child("is_camera"), d["is_camera"], bool)
    return Expected(**d)


def _services(where: Where, data: Any, base: Path) -> tuple[Service, ...]:
    if not isinstance(data, Mapping) or not data:
        raise where.error("expected a non-empty mapping of 'port/transport' -> service")
    return tuple(
        sorted(
            (_service(where.child(str(k)), str(k), v, base) for k, v in data.items()),
            key=lambda s: (s.transport, s.port),
        )
    )


def _service(where: Where, key: str, data: Any, base: Path) -> Service:
    port_text, _, transport = key.partition("/")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536 or transport not in ("tcp", "udp"):
        raise where.error("service keys look like '80/tcp' or '37020/udp'")
    protocol = want(
        where.child("protocol"), (data or {}).get("protocol") if isinstance(data, Mapping) else None, str
    )
    if protocol not in _PARSERS:
        raise where.child("protocol").error(f"unknown protocol {protocol!r} (known: {', '.join(PROTOCOLS)})")
    wanted_transport, parse = _PARSERS[protocol]
    if transport != wanted_transport:
        raise where.error(f"protocol {protocol} runs over {wanted_transport}, not {transport}")
    return Service(int(port_text), transport, protocol, parse(where, data, base))


def profile_paths(directory: Path = PROFILE_DIR) -> tuple[Path, ...]:
    return tuple(sorted(directory.glob("*.yaml")))


def load_profiles(
    ids: Iterable[str] | None = None, directory: Path = PROFILE_DIR, *, every: bool = False
) -> tuple[Profile, ...]:
    """Load profiles sorted by id (the lab's address order); `ids` selects some, unknown ids fail.

    Without `ids`: the default lab, every profile but those marked `default_lab: false` (or all of
    them with `every`).
    """
    profiles = {p.id: p for p in map(load_profile, profile_paths(directory))}
    if ids is None:
        return tuple(profiles[k] for k in sorted(profiles) if every or profiles[k].default_lab)
    wanted = list(dict.fromkeys(ids))
    unknown = [i for i in wanted if i not in profiles]
    if unknown:
        raise DataFileError(
            f"unknown lab profile(s): {', '.join(unknown)} (known: {', '.join(sorted(profiles))})"
        )
    return tuple(profiles[k] for k in sorted(wanted))
