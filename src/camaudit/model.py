"""The core data model: every pipeline stage speaks these frozen types.

sources ──▶ Observation ──▶ identify ──▶ Device ──▶ assess ──▶ Finding ──▶ store/report

`to_dict` / `from_dict` are the one lossless codec of these types: JSON-ready data tagged with a versioned
schema (`SCHEMA`) that decodes to an equal object, field for field. The register stores it; shapes for
people and files (scan JSON, reports) are built in `camaudit.report.views`, never here.
Observation `fields` keys follow `camaudit/data/vocab/fields.yaml`; this module imports nothing of ours.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, TypeVar

SCHEMA = "camaudit.model/1"
RAW_CAP = 4096  # bytes of raw device output kept per observation (evidence, not archive)
VALUE_CAP = 2048  # characters kept per parsed field value


def utcnow() -> datetime:
    return datetime.now(UTC)


class Transport(StrEnum):
    TCP = "tcp"
    UDP = "udp"
    NONE = "none"  # observations not tied to a socket (imports, neighbour table)


class ProbeStatus(StrEnum):
    OK = "ok"
    TIMEOUT = "timeout"
    REFUSED = "refused"
    RESET = "reset"
    TOO_LARGE = "too_large"
    MALFORMED = "malformed"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"
    ERROR = "error"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class FindingKind(StrEnum):
    VULNERABILITY = "vulnerability"
    CREDENTIAL = "credential"
    EXPOSURE = "exposure"
    EGRESS = "egress"
    POLICY = "policy"
    PRIVACY = "privacy"


# What a device or a file may not put on a person's terminal or page (issue 13): C0 and C1 controls
# (ESC starts ANSI sequences, 0x9b is the one-byte CSI, 0x07 ends an OSC title), DEL, the Unicode
# direction marks, embeddings, overrides and isolates (Trojan Source, CVE-2021-42574), line and paragraph
# separators, and lone surrogates (which no terminal encoding can write).
_UNSAFE_CHAR = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_UNSAFE_IN_TEXT = re.compile(  # the same, but TAB, LF and CR: lines of a page or a note stay lines
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, lines: bool = False) -> str:
    """`text` with every unsafe character written as a visible escape (ESC becomes ``\\x1b``).

    Applied where device- or file-supplied strings enter the model, so every view (console, CSV, Markdown,
    HTML, JSON) shows what a device sent without obeying it. With `lines`, TAB, LF and CR stay (a page body,
    a person's multi-line note). Idempotent: its output contains nothing it would change.
    """
    pattern = _UNSAFE_IN_TEXT if lines else _UNSAFE_CHAR
    return pattern.sub(_shown, text) if pattern.search(text) else text


def _bounded(value: str) -> str:
    return value if len(value) <= VALUE_CAP else value[:VALUE_CAP]


def _line(value: str | None) -> str | None:
    return None if value is None else printable(value)


@dataclass(frozen=True, slots=True)
class Observation:
    """One thing a source saw about one address.

    Attributes:
        source: what produced it, e.g. ``probe:http``, ``import:nmap_xml``, ``pcap``.
        ip: the device address as text.
        port: the port the observation came from, or None.
        transport: tcp, udp or none.
        protocol: wire protocol (``http``, ``rtsp``, ``sadp``, ``dhip``, ``onvif`` …).
        kind: what was observed (``http.response``, ``sadp.reply`` …), see fields.yaml.
        fields: parsed values, keys from fields.yaml; values are bounded strings.
        raw: the first RAW_CAP bytes the device sent (untrusted; never rendered unescaped).
        mac: layer-2 address when the source saw it (``aa:bb:cc:dd:ee:ff``).
        time: when it was observed (UTC).
    """

    source: str
    ip: str
    port: int | None
    transport: Transport
    protocol: str
    kind: str
    fields: Mapping[str, str] = field(default_factory=dict)
    raw: bytes = b""
    mac: str | None = None
    time: datetime = field(default_factory=utcnow)

    def __post_init__(self) -> None:
        bounded = {str(k): _bounded(printable(str(v), lines=True)) for k, v in self.fields.items()}
        object.__setattr__(self, "fields", types.MappingProxyType(bounded))
        if len(self.raw) > RAW_CAP:
            object.__setattr__(self, "raw", bytes(self.raw[:RAW_CAP]))


@dataclass(frozen=True, slots=True)
class ProbeAttempt:
    """One probe of one port: a failure is data, stored and reported, never swallowed.

    Attributes:
        probe: the probe name (``http``, ``rtsp`` …).
        ip, port, transport: where it was sent.
        status: ok, timeout, refused, reset, too_large, malformed, unreachable, skipped, error.
        error_reason: a short human reason when status is not ok.
        bytes_read: how many bytes the device sent.
        duration_ms: wall time of the attempt.
    """

    probe: str
    ip: str
    port: int | None
    transport: Transport
    status: ProbeStatus
    error_reason: str | None = None
    bytes_read: int = 0
    duration_ms: float = 0.0
    time: datetime = field(default_factory=utcnow)

    def __post_init__(self) -> None:
        object.__setattr__(self, "error_reason", _line(self.error_reason))  # may quote device bytes


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a conclusion was drawn: which observation, which field and value, which rule.

    Attributes:
        kind: the observation kind it came from.
        field: the observation field the rule read.
        value: the raw value (bounded) so a person can check it.
        rule_id: the data rule that matched, or None for direct facts.
        source: the observation's source.
        ip, port: where it was seen.
        claims: what the rule concluded (``manufacturer: hikvision`` …).
        confidence: the rule's confidence, 0..1.
        inferred: True when a value was derived (e.g. a build date from Last-Modified).
    """

    kind: str
    field: str
    value: str
    rule_id: str | None = None
    source: str = ""
    ip: str | None = None
    port: int | None = None
    # `dataclasses.field` spelled out: the attribute above is itself named `field`.
    claims: Mapping[str, str] = dataclasses.field(default_factory=dict)
    confidence: float = 0.0
    inferred: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _bounded(printable(self.value)))
        claims = {k: printable(str(v)) for k, v in self.claims.items()}
        object.__setattr__(self, "claims", types.MappingProxyType(claims))


@dataclass(frozen=True, slots=True)
class Finding:
    """A conclusion of a check about one device.

    Attributes:
        check_id: stable kebab-case id (``cve-2017-7921``, ``exposure-rtsp-no-auth``).
        kind: vulnerability, credential, exposure, egress, policy, privacy.
        severity: critical, high, medium, low, info.
        title: one line for people.
        evidence: what it rests on.
        remediation: what to do.
        references: public sources (URLs).
        verified: True only when an active read-only check confirmed it; False when inferred.
        status: ``affected``, ``undetermined``, ``violates`` … (check-specific).
        details: extra bounded key/values (CVSS, KEV date, pack id …).
    """

    check_id: str
    kind: FindingKind
    severity: Severity
    title: str
    evidence: tuple[Evidence, ...] = ()
    remediation: str = ""
    references: tuple[str, ...] = ()
    verified: bool = False
    status: str = "affected"
    details: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", printable(self.title))  # titles may quote an account name
        details = {k: printable(str(v), lines=True) for k, v in self.details.items()}
        object.__setattr__(self, "details", types.MappingProxyType(details))


_DEVICE_TEXT = ("brand", "manufacturer", "model", "firmware", "serial", "device_type")


@dataclass(frozen=True, slots=True)
class Device:
    """One device, fused from all observations about it.

    Attributes:
        ips: addresses it was seen at.
        mac: layer-2 address, when known.
        ports: open ports seen.
        brand: the label brand (vocabulary id), what the sticker says.
        manufacturer: the true manufacturer (vocabulary id), who made it.
        model, firmware, serial: as reported by the device.
        device_type: ``ip_camera``, ``nvr``, ``dvr`` … (vocabulary id).
        confidence: 0..1 for the manufacturer verdict.
        evidence: every piece of evidence used.
        conflicts: human-readable notes where evidence disagreed.
        findings: filled by assess.
        firmware_inferred: True when the firmware was inferred rather than reported.
        firmware_build: the firmware's build date, from its own string or another report of the same
            version (CVE ranges bounded by build date need it; Dahua strings often lack it).
    """

    ips: tuple[str, ...]
    mac: str | None = None
    ports: tuple[int, ...] = ()
    brand: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    firmware: str | None = None
    serial: str | None = None
    device_type: str | None = None
    confidence: float = 0.0
    evidence: tuple[Evidence, ...] = ()
    conflicts: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    firmware_inferred: bool = False
    firmware_build: date | None = None

    def __post_init__(self) -> None:
        for name in _DEVICE_TEXT:
            object.__setattr__(self, name, _line(getattr(self, name)))
        object.__setattr__(self, "conflicts", tuple(printable(c) for c in self.conflicts))

    @property
    def ip(self) -> str:
        return self.ips[0] if self.ips else ""

    @property
    def key(self) -> str:
        """Register key: MAC where known, else serial, else address."""
        if self.mac:
            return f"mac:{self.mac}"
        if self.serial:
            return f"serial:{self.serial}"
        return f"ip:{self.ip}"


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """One login an opt-in check made (never the password), remembered across audits (issue 13).

    Attributes:
        device_key: the device's register key (`Device.key`).
        ip: where the login was sent.
        at: when (UTC).
        check_id: the check that made it (``default-credentials``).
        outcome: how it ended (``ok``, ``refused``, ``locked``, ``rate_limited`` …).
        lockout_sign: True when the device showed any sign of lockout or throttling.
    """

    device_key: str
    ip: str
    at: datetime
    check_id: str
    outcome: str
    lockout_sign: bool = False

    @property
    def failed(self) -> bool:
        return self.outcome != "ok"


@dataclass(frozen=True, slots=True)
class Audit:
    """One run of camaudit.

    Attributes:
        id: unique id (hex).
        started, finished: UTC times; finished is None while running.
        scope: the explicit, expanded target list (or the import files read).
        options: the options in force, as JSON values (never credentials).
        version: camaudit version.
    """

    id: str
    started: datetime
    scope: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    version: str = ""
    finished: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", types.MappingProxyType(dict(self.options)))


# --- the lossless codec ----------------------------------------------------------------------

Model = Observation | ProbeAttempt | Evidence | Finding | Device | Audit
T = TypeVar("T", Observation, ProbeAttempt, Evidence, Finding, Device, Audit)
_CLASSES: dict[str, type[Any]] = {
    c.__name__: c for c in (Observation, ProbeAttempt, Evidence, Finding, Device, Audit)
}


_SCALARS = frozenset({str, int, float, bool, type(None)})  # exact types: a StrEnum is not one of them


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    """The fields of a dataclass type, or None for any other type (asked once per type)."""
    if cls not in _FIELD_NAMES:
        _FIELD_NAMES[cls] = (
            tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None
        )
    return _FIELD_NAMES[cls]


def _encode(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:  # most values: answered before any isinstance test (the register's hot path)
        return value
    names = _field_names(kind)
    if names is not None:
        return {name: _encode(getattr(value, name)) for name in names}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):  # datetime too (a subclass)
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    return value


def to_dict(obj: Model) -> dict[str, Any]:
    """Encode a model object as JSON-ready data, tagged with its schema and type."""
    data: dict[str, Any] = _encode(obj)
    return {"schema": SCHEMA, "type": type(obj).__name__, **data}


def _decode(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return _decode(args[0], value)
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        return tuple(_decode(inner, v) for v in value)
    if origin is Mapping or hint is Mapping:
        return dict(value)
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return _from_fields(typing.cast(type[Model], hint), value)
        if issubclass(hint, StrEnum):
            return hint(value)
        if hint is datetime:
            return datetime.fromisoformat(value)
        if hint is date:
            return date.fromisoformat(value)
        if hint is bytes:
            return bytes.fromhex(value)
    return value


def _from_fields(cls: type[Any], data: Mapping[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - known - {"schema", "type"}
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown keys {sorted(unknown)}")
    kwargs = {name: _decode(hints[name], data[name]) for name in known if name in data}
    return cls(**kwargs)


def from_dict(cls: type[T], data: Mapping[str, Any]) -> T:
    """Decode what `to_dict` produced; rejects other schema versions and unknown keys."""
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA:
        raise ValueError(f"unsupported schema {schema!r} (this camaudit reads {SCHEMA})")
    if data.get("type", cls.__name__) != cls.__name__:
        raise ValueError(f"expected {cls.__name__}, got {data.get('type')}")
    result: T = _from_fields(cls, data)
    return result
