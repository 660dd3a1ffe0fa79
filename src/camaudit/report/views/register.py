"""The register as people and files see it: audits, devices with their people's fields, findings, diffs.

Devices keep the scan's device shape (`views.devices.device_json`) plus a ``register`` object.
"""

from __future__ import annotations

from typing import Any

from camaudit.model import Finding, to_dict
from camaudit.report.views.devices import device_json
from camaudit.store.diff import AuditDiff, FindingChange
from camaudit.store.records import AuditRecord, DeviceRecord, UserFields


def _time(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def audit_json(audit: AuditRecord) -> dict[str, Any]:
    return {
        "id": audit.id,
        "started": _time(audit.started),
        "finished": _time(audit.finished),
        "complete": audit.complete,
        "scope_size": len(audit.scope),
        "hosts_done": audit.hosts_done,
        "targets": list(audit.options.get("targets", [])),
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
    }
