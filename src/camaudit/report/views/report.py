"""The report's view-model: plain dicts built once from the register, rendered by every format.

HTML, PDF, CSV and JSON all read this one structure (STYLE.md R13), so their counts always agree. Device
strings stay raw here; each format escapes for its own syntax.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from camaudit.config import Config
from camaudit.model import Finding, FindingKind, Severity, utcnow
from camaudit.report.views import board
from camaudit.report.views.findings import Affected, by_check
from camaudit.report.views.names import findings_phrase, is_camera, is_kev, made_by, maker_name, type_name
from camaudit.report.views.register import audit_json, diff_json, record_json, when
from camaudit.store import SCAN, AuditDiff, AuditRecord, DeviceRecord, Reader, diff
from camaudit.version import __version__

REPORT_SCHEMA = "camaudit.report/1"
MAX_EVIDENCE = 8  # identifying evidence rows per device in the appendix (the JSON keeps every one)


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
    d = record.device
    key = [e for e in view["evidence"] if e["rule_id"]]
    view["key_evidence"] = key[:MAX_EVIDENCE]
    view["other_evidence"] = len(view["evidence"]) - len(view["key_evidence"])
    view["made_by"] = made_by(d)
    phrase = findings_phrase(d.findings)
    view["findings_text"] = "-" if phrase == "no findings" else phrase
    view["first_seen_text"] = when(record.first_seen)
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
        "findings": _firm(findings),
        "undetermined": len(findings) - _firm(findings),
        "kev_findings": sum(1 for f in findings if f["kev"] and f["status"] != "undetermined"),
        "verified_findings": sum(1 for f in findings if f["verified"]),
    }


def _changes(
    reader: Reader, audit: AuditRecord, records: list[DeviceRecord]
) -> tuple[AuditRecord | None, AuditDiff | None]:
    previous = reader.previous(audit)
    if previous is None:
        return None, None
    scope = audit.scope if audit.kind == SCAN else ()  # a capture looked at no address on purpose
    return previous, diff(previous.id, reader.devices(previous.id), audit.id, records, scope)


def _firm(findings: Sequence[dict[str, Any]]) -> int:
    return sum(1 for f in findings if f["status"] != "undetermined")


def _board(
    view: dict[str, Any], config: Config | None, previous: AuditRecord | None, before: int
) -> dict[str, Any]:
    kev_devices = len(
        {f["device_id"] for f in view["findings"] if f["kev"] and f["status"] != "undetermined"}
    )
    compliance = view["compliance"]
    overdue = compliance["plan"]["progress"]["overdue"] if compliance else None
    changes = view["changes"]
    return {
        "organisation": (config.name or None) if config is not None else None,
        "headline": board.headline(view["devices"], kev_devices, overdue),
        "actions": board.actions(view["finding_groups"], compliance),
        "trend": board.trend(
            changes, audit_json(previous) if previous else None, before, _firm(view["findings"])
        ),
        "kev_devices": kev_devices,
    }


def build_view(
    reader: Reader,
    audit_id: str | None = None,
    compliance: dict[str, Any] | None = None,
    config: Config | None = None,
) -> dict[str, Any]:
    """Everything every report format shows about one audit (the latest finished scan by default).

    `compliance` is `views.policy.compliance_view` for that audit (policy packs, removal plan,
    privacy capabilities), shown when given; `config` names the organisation on page 1.
    """
    audit = reader.audit(audit_id, partial=True)
    records = reader.devices(audit.id)
    devices = [_device(r, reader) for r in records]
    rank = {s.value: i for i, s in enumerate(Severity)}
    unsorted = [_finding(r, f) for r in records for f in r.device.findings]
    findings = sorted(unsorted, key=lambda f: (rank[f["severity"]], f["check_id"], f["device_id"]))
    rebrands = _rebrands(records)
    previous, change = _changes(reader, audit, records)
    before = sum(1 for _, f in reader.findings(previous.id) if f.status != "undetermined") if previous else 0
    view = {
        "schema": REPORT_SCHEMA,
        "generated": utcnow().isoformat(timespec="seconds"),
        "generated_text": when(utcnow()),
        "generator": f"camaudit {__version__}",
        "audit": audit_json(audit),
        "summary": _summary(devices, findings, rebrands),
        "by_manufacturer": _counts(maker_name(r.device.manufacturer) for r in records),
        "by_brand": _counts(maker_name(r.device.brand) for r in records),
        "by_type": _counts(type_name(r.device.device_type) for r in records),
        "rebrands": rebrands,
        # firm findings only, like the summary: "could not decide" is counted apart, never as a flaw
        "findings_by_severity": _severities([f for f in findings if f["status"] != "undetermined"]),
        "findings": findings,
        "finding_groups": by_check(Affected(r.device, f, r.id) for r in records for f in r.device.findings),
        "kev_findings": [f for f in findings if f["kev"] and f["status"] != "undetermined"],
        "policy": [f for f in findings if f["kind"] == FindingKind.POLICY.value],
        "devices": devices,
        "previous_audit": previous.id if previous else None,
        "changes": diff_json(change) if change else None,
        "compliance": compliance,
    }
    view["board"] = _board(view, config, previous, before)
    return view
