"""Policy as people and files see it: verdict rows, `camaudit policy --json`, the plan, the report's part.

Each shape is built once from a `Judgement` (`camaudit.policy.judgement`), so the commands, their JSON and
the report always agree. Wording stays evidential: camaudit points at possible non-compliance with a
cited source; people and counsel decide.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from camaudit.data.policies import Pack
from camaudit.policy.judgement import Judgement
from camaudit.policy.obligations import Outcome
from camaudit.policy.plan import Plan, PlanItem
from camaudit.policy.privacy import DeviceCapabilities
from camaudit.policy.verdicts import PolicyReport, Verdict, who
from camaudit.report.views.devices import device_json

POLICY_SCHEMA = "camaudit.policy-report/1"


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


def _outcome(v: Verdict) -> dict[str, Any]:
    """What every verdict row says, whoever shows it."""
    return {
        "outcome": v.outcome.value,
        "reason": v.reason,
        "missing": list(v.missing),
        "site": v.site,
        "due": _date(v.due),
    }


def verdict_json(v: Verdict) -> dict[str, Any]:
    """One pack's verdict on one device, as `camaudit policy --json` lists it under the device."""
    return {"pack": v.pack.id, **_outcome(v), "finding": v.finding().title, **dict(v.clock)}


def verdict_row(v: Verdict) -> dict[str, Any]:
    """One verdict as a row of the report's tables (the device named in it)."""
    device = {"ip": v.device.ip, "device": v.who or who(v.device)}
    return {"pack": v.pack.id, **device, **_outcome(v), "title": v.title()}


def policy_json(judgement: Judgement) -> dict[str, Any]:
    """`camaudit policy --json`: whether each pack binds, and every device with its verdicts."""
    report = judgement.report
    bindings = [
        {
            "pack": b.pack.id,
            "name": b.pack.name,
            "binds": b.binds,
            "reason": b.reason,
            "missing": list(b.missing),
        }
        for b in report.bindings
    ]
    devices = [
        {**device_json(d), "policy": [verdict_json(v) for v in report.for_device(d)]}
        for d in judgement.inputs.devices
    ]
    return {"schema": POLICY_SCHEMA, "packs": bindings, "devices": devices}


def _item_json(item: PlanItem) -> dict[str, object]:
    return {
        "key": item.key,
        "ip": item.ip,
        "device": item.who,
        "packs": list(item.packs),
        "reasons": list(item.reasons),
        "status": item.status,
        "state": item.state,
        "due": _date(item.due),
        "overdue": item.overdue,
        "first_detected": item.first_detected,
        "report_due": item.report_due,
    }


def plan_json(plan: Plan) -> dict[str, object]:
    """`camaudit plan --json` and the report's plan: progress, progress over audits, items per site."""
    return {
        "summary": plan.progress.summary(),
        "progress": {
            "covered": plan.progress.covered,
            "done": plan.progress.done,
            "overdue": plan.progress.overdue,
            "not_seen": plan.progress.not_seen,
        },
        "history": [
            {
                "audit": p.audit_id,
                "started": p.started.isoformat(timespec="seconds"),
                "covered_present": p.present,
            }
            for p in plan.history
        ],
        "sites": {site: [_item_json(i) for i in items] for site, items in plan.sites},
    }


def _pack_rows(report: PolicyReport, packs: Sequence[Pack]) -> list[dict[str, Any]]:
    counts = Counter((v.pack.id, v.outcome) for v in report.verdicts)
    return [
        {
            "id": p.id,
            "name": p.name,
            "source": p.sources[0] if p.sources else "",
            **{o.value: counts[(p.id, o)] for o in Outcome},
        }
        for p in packs
    ]


def _privacy(capabilities: Sequence[DeviceCapabilities]) -> list[dict[str, Any]]:
    return [
        {
            "ip": caps.device.ip,
            "device": who(caps.device),
            "present": sorted(c.value for c in caps.present),
            "enabled": sorted(c.value for c in caps.enabled),
            "read": caps.read,
        }
        for caps in capabilities
        if caps.present or caps.enabled
    ]


def compliance_view(judgement: Judgement) -> dict[str, Any]:
    """The report's part: verdict counts per pack, violations and undetermined ones, plan, privacy."""
    verdicts = sorted(judgement.report.verdicts, key=lambda v: (v.pack.id, v.device.ip))
    return {
        "audit": judgement.inputs.audit_id,
        "packs": _pack_rows(judgement.report, judgement.packs),
        "violations": [verdict_row(v) for v in verdicts if v.outcome is Outcome.VIOLATES],
        "undetermined": [verdict_row(v) for v in verdicts if v.outcome is Outcome.UNDETERMINED],
        "plan": plan_json(judgement.plan),
        "privacy": _privacy(judgement.capabilities),
    }
