"""Typed records the register returns, and the conversions between rows and model objects.

Device strings are hostile but inert here: they are stored as parameters (never formatted into SQL) and
returned as they came; escaping is the job of each output (Jinja2 autoescape, rich `escape`, CSV quoting).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from camaudit.model import (
    Device,
    Evidence,
    Finding,
    FindingKind,
    Observation,
    ProbeAttempt,
    ProbeStatus,
    Severity,
    Transport,
)
from camaudit.pipeline import device_json, evidence_json


class DeviceStatus(StrEnum):
    """The lifecycle a person sets on a device (`camaudit annotate --status`)."""

    IN_SERVICE = "in_service"
    TO_REPLACE = "to_replace"
    REPLACED = "replaced"
    REMOVED = "removed"


USER_FIELDS = ("site", "location", "owner", "purpose", "notes", "status", "due", "acquired")


@dataclass(frozen=True, slots=True)
class UserFields:
    """What people maintain; a scan never writes any of these."""

    site: str | None = None
    location: str | None = None
    owner: str | None = None
    purpose: str | None = None
    notes: str | None = None
    status: DeviceStatus = DeviceStatus.IN_SERVICE
    due: date | None = None
    acquired: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            **{name: getattr(self, name) for name in ("site", "location", "owner", "purpose", "notes")},
            "status": self.status.value,
            "due": self.due.isoformat() if self.due else None,
            "acquired": self.acquired.isoformat() if self.acquired else None,
        }


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: str
    started: datetime
    finished: datetime | None
    scope: tuple[str, ...]
    options: Mapping[str, Any]
    version: str
    hosts_done: int = 0

    @property
    def complete(self) -> bool:
        return self.finished is not None


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    """A device as one audit saw it, with its register identity and the user's fields.

    Attributes:
        id: the register's device number (stable across audits).
        key: ``mac:…``, ``serial:…`` or ``ip:…`` (MAC where known, else serial, else address).
        device: the scanner's view in that audit (findings included).
        user: the user-maintained fields (current values).
        first_seen, last_seen: over every audit in the register.
        audit_id: the audit this sighting belongs to (None for a device known only from a spreadsheet).
    """

    id: int
    key: str
    device: Device
    user: UserFields
    first_seen: datetime | None
    last_seen: datetime | None
    audit_id: str | None = None


@dataclass(frozen=True, slots=True)
class StatusChange:
    changed_at: datetime
    status: DeviceStatus
    due: date | None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One sighting of a device, oldest first; `changes` names what differs from the sighting before."""

    audit_id: str
    seen_at: datetime
    ip: str
    firmware: str | None
    changes: tuple[str, ...] = ()


def utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes: everything stored is UTC, so say so again on the way out."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def device_row(device: Device) -> dict[str, Any]:
    """A sighting row: the shared device JSON shape, less findings (their own table), exact confidence."""
    row = device_json(device)
    del row["findings"]
    row["confidence"] = device.confidence
    return row


def evidence_from(data: Mapping[str, Any]) -> Evidence:
    return Evidence(
        kind=str(data.get("observation_kind", "")),
        field=str(data.get("field", "")),
        value=str(data.get("value", "")),
        rule_id=data.get("rule_id"),
        source=str(data.get("source", "")),
        ip=data.get("ip"),
        port=data.get("port"),
        claims={str(k): str(v) for k, v in (data.get("claims") or {}).items()},
        confidence=float(data.get("confidence") or 0.0),
        inferred=bool(data.get("inferred")),
    )


def device_from(row: Any, findings: tuple[Finding, ...] = ()) -> Device:
    return Device(
        ips=tuple(row.ips),
        mac=row.mac,
        ports=tuple(row.ports),
        brand=row.brand,
        manufacturer=row.manufacturer,
        model=row.model,
        firmware=row.firmware,
        serial=row.serial,
        device_type=row.device_type,
        confidence=row.confidence,
        evidence=tuple(evidence_from(e) for e in row.evidence),
        conflicts=tuple(row.conflicts),
        findings=findings,
        firmware_inferred=row.firmware_inferred,
    )


def user_from(row: Any) -> UserFields:
    return UserFields(
        site=row.site,
        location=row.location,
        owner=row.owner,
        purpose=row.purpose,
        notes=row.notes,
        status=DeviceStatus(row.status),
        due=row.due,
        acquired=row.acquired,
    )


def finding_row(finding: Finding) -> dict[str, Any]:
    return {
        "check_id": finding.check_id,
        "kind": finding.kind.value,
        "severity": finding.severity.value,
        "status": finding.status,
        "verified": finding.verified,
        "title": finding.title,
        "remediation": finding.remediation,
        "references": list(finding.references),
        "evidence": [evidence_json(e) for e in finding.evidence],
        "details": {str(k): str(v) for k, v in finding.details.items()},
    }


def finding_from(row: Any) -> Finding:
    return Finding(
        check_id=row.check_id,
        kind=FindingKind(row.kind),
        severity=Severity(row.severity),
        title=row.title,
        evidence=tuple(evidence_from(e) for e in row.evidence),
        remediation=row.remediation,
        references=tuple(row.references),
        verified=row.verified,
        status=row.status,
        details=dict(row.details),
    )


def observation_row(obs: Observation) -> dict[str, Any]:
    return {
        "ip": obs.ip,
        "port": obs.port,
        "transport": obs.transport.value,
        "protocol": obs.protocol,
        "kind": obs.kind,
        "source": obs.source,
        "fields": dict(obs.fields),
        "raw": bytes(obs.raw),
        "mac": obs.mac,
        "time": obs.time,
    }


def observation_from(row: Any) -> Observation:
    return Observation(
        source=row.source,
        ip=row.ip,
        port=row.port,
        transport=Transport(row.transport),
        protocol=row.protocol,
        kind=row.kind,
        fields=dict(row.fields),
        raw=bytes(row.raw),
        mac=row.mac,
        time=utc(row.time) or row.time,
    )


def attempt_row(attempt: ProbeAttempt) -> dict[str, Any]:
    return {
        "probe": attempt.probe,
        "ip": attempt.ip,
        "port": attempt.port,
        "transport": attempt.transport.value,
        "status": attempt.status.value,
        "error_reason": attempt.error_reason,
        "bytes_read": attempt.bytes_read,
        "duration_ms": attempt.duration_ms,
        "time": attempt.time,
    }


def attempt_from(row: Any) -> ProbeAttempt:
    return ProbeAttempt(
        probe=row.probe,
        ip=row.ip,
        port=row.port,
        transport=Transport(row.transport),
        status=ProbeStatus(row.status),
        error_reason=row.error_reason,
        bytes_read=row.bytes_read,
        duration_ms=row.duration_ms,
        time=utc(row.time) or row.time,
    )
