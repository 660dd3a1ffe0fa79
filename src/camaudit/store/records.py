"""Typed records the register returns: audits, devices with people's fields, history, status changes.

Device strings are hostile but inert here: they are stored as parameters (never formatted into SQL) and
returned as they came; escaping is the job of each output (Jinja2 autoescape, rich `escape`, CSV quoting).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from camaudit.model import Audit, Device, printable


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

    def __post_init__(self) -> None:
        # People's fields arrive from spreadsheets (register import) and older registers: controls in them
        # are shown, never obeyed (issue 13), as device strings are in the model.
        for name in ("site", "location", "owner", "purpose", "notes"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, printable(value, lines=name == "notes"))


SCAN, TRAFFIC, IMPORT = "scan", "traffic", "import"
ESTATE = "estate"  # a central register's every site at once (`store.estate`)
KINDS = (SCAN, TRAFFIC, IMPORT, ESTATE)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """An audit as the register holds it.

    Attributes:
        id, started, finished, scope, options, version: as recorded (`finished` None: partial).
        hosts_done: addresses recorded (all of the scope for a finished active scan).
        devices: devices the audit saw.
    """

    id: str
    started: datetime
    finished: datetime | None
    scope: tuple[str, ...]
    options: Mapping[str, Any]
    version: str
    hosts_done: int = 0
    devices: int = 0

    @property
    def complete(self) -> bool:
        return self.finished is not None

    @property
    def kind(self) -> str:
        """``scan`` (active) or ``traffic`` (passive), from the options the audit recorded."""
        return str(self.options.get("kind", SCAN))

    @property
    def audit(self) -> Audit:
        """The audit as the model holds it (options as recorded: never a credential)."""
        return Audit(self.id, self.started, self.scope, self.options, self.version, self.finished)


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


@dataclass(frozen=True, slots=True)
class Change:
    """One change of a person's field on a device: who, when, the field, before and after (as text)."""

    id: int
    device_id: int
    at: datetime
    who: str
    field: str
    before: str | None
    after: str | None


def utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes: everything stored is UTC, so say so again on the way out."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


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
