"""The register as people and files see it: audits, devices with their people's fields, findings, diffs.

Devices keep the scan's device shape (`views.devices.device_json`) plus a ``register`` object.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from camaudit.model import Finding, to_dict
from camaudit.report.views.devices import device_json
from camaudit.store.diff import AuditDiff, FindingChange
from camaudit.store.records import SCAN, AuditRecord, DeviceRecord, UserFields


def _time(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def when(value: datetime | None) -> str:
    """A time as people write it: ``Mon 5 Jan 2026, 09:00 UTC``."""
    if value is None:
        return "-"
    at = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return f"{at:%a} {at.day} {at:%b %Y, %H:%M} UTC"


def duration(seconds: float) -> str:
    """``8 seconds``, ``3 minutes``, ``2 hours 5 minutes``."""
    if seconds < 90:
        return f"{round(seconds)} second{'s' if round(seconds) != 1 else ''}"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} minutes"
    hours, rest = divmod(minutes, 60)
    return f"{hours} hours" + (f" {rest} minutes" if rest else "")


def scope_text(audit: AuditRecord, limit: int = 60) -> str:
    """What an audit covered, in the words it was given: its targets, or the files a traffic audit read."""
    named = [str(t) for t in audit.options.get("targets", [])] or [Path(s).name for s in audit.scope]
    text = ", ".join(named) or "-"
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    size = len(audit.scope)
    counted = f" ({size} address{'' if size == 1 else 'es'})"
    return text + (counted if audit.kind == SCAN and named else "")


def progress_text(audit: AuditRecord) -> str:
    """``finished Mon 5 Jan 2026, 09:08 UTC`` or ``partial: 87 of 254 hosts``."""
    if audit.complete:
        return f"finished {when(audit.finished)}"
    return f"partial: {audit.hosts_done} of {len(audit.scope)} hosts"


def audit_json(audit: AuditRecord) -> dict[str, Any]:
    taken = (audit.finished - audit.started).total_seconds() if audit.finished is not None else None
    return {
        "id": audit.id,
        "kind": audit.kind,
        "started": _time(audit.started),
        "finished": _time(audit.finished),
        "complete": audit.complete,
        "scope_size": len(audit.scope),
        "hosts_done": audit.hosts_done,
        "devices": audit.devices,
        "targets": list(audit.options.get("targets", [])),
        "scope_text": scope_text(audit),
        "started_text": when(audit.started),
        "finished_text": when(audit.finished) if audit.finished else None,
        "duration_text": duration(taken) if taken is not None else None,
        "progress_text": progress_text(audit),
        "options": dict(audit.options),
        "version": audit.version,
    }


def user_json(user: UserFields) -> dict[str, Any]:
    """What people maintain about a device (`camaudit annotate`, the spreadsheet columns)."""
    return {
        **{name: getattr(user, name) for name in ("site", "location", "owner", "purpose", "notes")},
        "status": user.status.value,
        "due": user.due.isoformat() if user.due else None,
        "acquired": user.acquired.isoformat() if user.acquired else None,
    }


def record_json(record: DeviceRecord) -> dict[str, Any]:
    """The device as `camaudit scan --json` writes it, with the register's identity and people's fields."""
    register = {
        "id": record.id,
        "key": record.key,
        "first_seen": _time(record.first_seen),
        "last_seen": _time(record.last_seen),
        **user_json(record.user),
    }
    return {**device_json(record.device), "register": register}


def finding_json(record: DeviceRecord, finding: Finding) -> dict[str, Any]:
    return {"device": {"id": record.id, "key": record.key, "ip": record.device.ip}, **to_dict(finding)}


def _brief(r: DeviceRecord) -> dict[str, Any]:
    d = r.device
    return {
        "id": r.id,
        "key": r.key,
        "ip": d.ip,
        "brand": d.brand,
        "manufacturer": d.manufacturer,
        "model": d.model,
        "firmware": d.firmware,
    }


def _finding_change(f: FindingChange) -> dict[str, Any]:
    return {**_brief(f.record), "check_id": f.check_id, "severity": f.severity, "title": f.title}


def diff_json(change: AuditDiff) -> dict[str, Any]:
    return {
        "before": change.before,
        "after": change.after,
        "new": [_brief(r) for r in change.new],
        "gone": [_brief(r) for r in change.gone],
        "changed": [
            {
                **_brief(c.record),
                "changes": [{"field": x.field, "before": x.before, "after": x.after} for x in c.changes],
            }
            for c in change.changed
        ],
        "new_findings": [_finding_change(f) for f in change.new_findings],
        "resolved_findings": [_finding_change(f) for f in change.resolved_findings],
        "not_reaudited": [_brief(r) for r in change.not_reaudited],
    }
