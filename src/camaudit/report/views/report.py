"""The report's view-model: plain dicts built once from the register, rendered by every format.

HTML, PDF, CSV and JSON all read this one structure (STYLE.md R13), so their counts always agree. Device
strings stay raw here; each format escapes for its own syntax.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from camaudit.model import Finding, FindingKind, Severity, utcnow
from camaudit.report.views.names import is_camera, is_kev, maker_name, type_name
from camaudit.report.views.register import audit_json, diff_json, record_json
from camaudit.store import AuditDiff, DeviceRecord, Reader, diff
from camaudit.version import __version__

REPORT_SCHEMA = "camaudit.report/1"


def _counts(values: Iterable[str]) -> list[dict[str, Any]]:
    return [
        {"name": name, "count": n} for name, n in sorted(Counter(values).items(), key=lambda x: (-x[1], x[0]))
    ]


def _rebrands(records: Sequence[DeviceRecord]) -> list[dict[str, Any]]:
    """Devices sold under another company's label: brand and true manufacturer both known and different."""
    pairs: dict[tuple[str, str], list[int]] = {}
    for r in records:
        d = r.device
        if d.brand and d.manufacturer and d.brand != d.manufacturer:
            pairs.setdefault((d.brand, d.manufacturer), []).append(r.id)
    return [
        {"brand": maker_name(b), "manufacturer": maker_name(m), "count": len(ids), "devices": ids}
        for (b, m), ids in sorted(pairs.items())
    ]


def _finding(record: DeviceRecord, f: Finding) -> dict[str, Any]:
    return {
        "device_id": record.id,
        "ip": record.device.ip,
        "check_id": f.check_id,
        "kind": f.kind.value,
        "severity": f.severity.value,
        "status": f.status,
        "verified": f.verified,
        "kev": is_kev(f),
        "title": f.title,
        "remediation": f.remediation,
        "references": list(f.references),
        "details": dict(f.details),
        "evidence": [{"field": e.field, "value": e.value, "rule_id": e.rule_id} for e in f.evidence],
    }


def _device(record: DeviceRecord, reader: Reader) -> dict[str, Any]:
    view = record_json(record)
    history = reader.history(record.id)
    view["history"] = [
        {
            "audit_id": h.audit_id,
            "seen_at": h.seen_at.isoformat(timespec="seconds"),
            "ip": h.ip,
            "firmware": h.firmware,
            "changes": list(h.changes),
        }
        for h in history
    ]
    view["manufacturer_name"] = maker_name(record.device.manufacturer)
    view["brand_name"] = maker_name(record.device.brand)
    view["type_name"] = type_name(record.device.device_type)
    view["is_camera"] = is_camera(record.device)
    return view


def _severities(findings: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    counts = Counter(f["severity"] for f in findings)
    return [{"name": s.value, "count": counts.get(s.value, 0)} for s in Severity]


def _summary(
    devices: Sequence[dict[str, Any]], findings: Sequence[dict[str, Any]], rebrands: Sequence[Any]
) -> dict[str, int]:
    return {
        "devices": len(devices),
        "cameras": sum(1 for d in devices if d["is_camera"]),
        "identified": sum(1 for d in devices if d["manufacturer"]),
        "rebranded": sum(r["count"] for r in rebrands),
        "findings": len(findings),
        "kev_findings": sum(1 for f in findings if f["kev"]),
        "verified_findings": sum(1 for f in findings if f["verified"]),
    }


def _changes(
    reader: Reader, audit_id: str, records: list[DeviceRecord]
) -> tuple[str | None, AuditDiff | None]:
    previous = reader.previous(reader.audit(audit_id))
    if previous is None:
        return None, None
    return previous.id, diff(previous.id, reader.devices(previous.id), audit_id, records)


def build_view(
    reader: Reader, audit_id: str | None = None, compliance: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Everything every report format shows about one audit (the latest finished by default).

    `compliance` is `views.policy.compliance_view` for that audit (policy packs, removal plan,
    privacy capabilities), shown when given.
    """
    audit = reader.audit(audit_id)
    records = reader.devices(audit.id)
    devices = [_device(r, reader) for r in records]
    rank = {s.value: i for i, s in enumerate(Severity)}
    unsorted = [_finding(r, f) for r in records for f in r.device.findings]
    findings = sorted(unsorted, key=lambda f: (rank[f["severity"]], f["check_id"], f["device_id"]))
    rebrands = _rebrands(records)
    previous, change = _changes(reader, audit.id, records)
    return {
        "schema": REPORT_SCHEMA,
        "generated": utcnow().isoformat(timespec="seconds"),
        "generator": f"camaudit {__version__}",
        "audit": audit_json(audit),
        "summary": _summary(devices, findings, rebrands),
        "by_manufacturer": _counts(maker_name(r.device.manufacturer) for r in records),
        "by_brand": _counts(maker_name(r.device.brand) for r in records),
        "by_type": _counts(type_name(r.device.device_type) for r in records),
        "rebrands": rebrands,
        "findings_by_severity": _severities(findings),
        "findings": findings,
        "kev_findings": [f for f in findings if f["kev"]],
        "policy": [f for f in findings if f["kind"] == FindingKind.POLICY.value],
        "devices": devices,
        "previous_audit": previous,
        "changes": diff_json(change) if change else None,
        "compliance": compliance,
    }
