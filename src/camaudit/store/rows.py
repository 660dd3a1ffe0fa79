"""Model objects to rows and back, through the model's own lossless codec (`model.to_dict`/`from_dict`).

Audits, observations and attempts have one column per field of the codec's output (typed columns hold
the native value: a datetime, the raw bytes). A sighting keeps the whole device (findings aside: they have
their own table) in its ``device`` column and a finding in its ``finding`` column; the other columns of
those tables are copies for queries (address, MAC, serial, check id …), written from the same object so
they cannot disagree with it. Nothing is rounded, renamed or dropped: what is read back is equal, field
for field, to what was written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

import sqlalchemy as sa

from camaudit.model import Audit, Device, Finding, Observation, ProbeAttempt, from_dict, to_dict
from camaudit.store.records import utc

T = TypeVar("T", Audit, Observation, ProbeAttempt)
_NATIVE = (sa.DateTime, sa.LargeBinary)  # columns holding the value itself, not its JSON spelling
_DEVICE_COPIES = ("mac", "brand", "manufacturer", "model", "firmware", "serial", "device_type")
_FINDING_COPIES = ("check_id", "status", "verified")


def _native(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, _NATIVE)


def row_of(obj: Audit | Observation | ProbeAttempt, table: sa.Table) -> dict[str, Any]:
    """The object's codec output as the table's columns."""
    data = to_dict(obj)
    return {
        c.name: getattr(obj, c.name) if _native(c) else data[c.name] for c in table.columns if c.name in data
    }


def _spelled(value: Any) -> Any:
    """A typed column's value as the codec spells it (SQLite returns naive UTC datetimes)."""
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    when = utc(value)
    return when.isoformat() if when is not None else None


def object_of(cls: type[T], row: Any, table: sa.Table) -> T:
    """The object a row of `row_of` holds."""
    names = {f.name for f in dataclasses.fields(cls)}
    mapping: Mapping[str, Any] = row._mapping
    data = {
        c.name: _spelled(mapping[c.name]) if _native(c) else mapping[c.name]
        for c in table.columns
        if c.name in names
    }
    return from_dict(cls, data)


def device_row(device: Device) -> dict[str, Any]:
    """A sighting's columns: the whole device (its findings go to their own table) and query copies."""
    copies = {name: getattr(device, name) for name in _DEVICE_COPIES}
    return {"ip": device.ip, **copies, "device": to_dict(dataclasses.replace(device, findings=()))}


def device_of(row: Any, findings: tuple[Finding, ...] = ()) -> Device:
    return dataclasses.replace(from_dict(Device, row.device), findings=findings)


def finding_row(finding: Finding) -> dict[str, Any]:
    copies = {name: getattr(finding, name) for name in _FINDING_COPIES}
    return {
        **copies,
        "kind": finding.kind.value,
        "severity": finding.severity.value,
        "finding": to_dict(finding),
    }


def finding_of(row: Any) -> Finding:
    return from_dict(Finding, row.finding)
