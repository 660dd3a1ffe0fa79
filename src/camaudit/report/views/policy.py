"""Policy as people and files see it: verdict rows, `camaudit policy --json`, the plan, the report's part.

Each shape is built once from a `Judgement` (`camaudit.policy.judgement`), so the commands, their JSON and
the report always agree. Wording stays evidential: camaudit points at possible non-compliance with a
cited source; people and counsel decide.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from camaudit.data.policies import Pack
from camaudit.model import Device
from camaudit.policy.judgement import Judgement
from camaudit.policy.obligations import Outcome
from camaudit.policy.plan import Plan, PlanItem
from camaudit.policy.privacy import DeviceCapabilities
from camaudit.policy.verdicts import PolicyReport, Verdict, group_names, who
from camaudit.report.views.devices import device_json
from camaudit.report.views.names import maker_name

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


def day(value: dt.date | None) -> str | None:
    """A date as people write it: ``31 Dec 2026``."""
    return f"{value.day} {value:%b %Y}" if value else None


def named(device: Device | None, fallback: str) -> str:
    """A device by brand and model: ``LTS CMIP7442W-28SM (made by Hikvision)``; `fallback` if unknown."""
    if device is None:
        return fallback
    label = device.brand or device.manufacturer
    first = " ".join(x for x in (maker_name(label).split(" (")[0] if label else "", device.model or "") if x)
    made = device.manufacturer and device.brand and device.brand != device.manufacturer
    tail = f" (made by {maker_name(device.manufacturer)})" if made else ""
    return (first or fallback) + tail


def _item_json(item: PlanItem, devices: Mapping[str, Device]) -> dict[str, object]:
    return {
        "key": item.key,
        "ip": item.ip,
        "device": item.who,
        "named": named(devices.get(item.key), item.who),
        "due_text": day(item.due),
        "packs": list(item.packs),
        "reasons": list(item.reasons),
        "status": item.status,
        "state": item.state,
        "due": _date(item.due),
        "overdue": item.overdue,
        "first_detected": item.first_detected,
        "report_due": item.report_due,
    }


def plan_json(plan: Plan, devices: Mapping[str, Device] | None = None) -> dict[str, object]:
    """`camaudit plan --json` and the report's plan: progress, progress over audits, items per site.

    `devices` (by register key) lets each item name its device by brand and model."""
    known = devices or {}
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
        "sites": {site: [_item_json(i, known) for i in items] for site, items in plan.sites},
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


def _pack_notes(judgement: Judgement) -> list[dict[str, Any]]:
    """Each pack that has something to say, once: whom it binds, what it covers and requires, and the
    facts missing to decide (with how many devices wait on each)."""
    report = judgement.report
    bindings = {b.pack.id: b for b in report.bindings}
    notes = []
    for pack in judgement.packs:
        mine = [v for v in report.verdicts if v.pack.id == pack.id]
        if not any(v.outcome is not Outcome.COMPLIES for v in mine):
            continue
        missing = Counter(m for v in mine if v.outcome is Outcome.UNDETERMINED for m in v.missing)
        bound = bindings.get(pack.id)
        notes.append({
            "id": pack.id,
            "name": " ".join(pack.name.split()),
            "binds": " ".join((bound.reason if bound is not None else pack.binds_text).split()).rstrip(". "),
            "covers": group_names(pack) if pack.vendors else "",
            "requires": [" ".join(ob.text.split()).rstrip(". ") for ob in pack.requires],
            "source": pack.sources[0] if pack.sources else "",
            "missing": [{"what": what, "devices": n} for what, n in missing.most_common()],
            **{o.value: sum(1 for v in mine if v.outcome is o) for o in Outcome},
        })  # fmt: skip
    return notes


def _matrix(judgement: Judgement, packs: Sequence[str]) -> list[dict[str, Any]]:
    """One row per device with any outcome other than "complies": the outcome under each pack."""
    rows: dict[str, dict[str, Any]] = {}
    for v in judgement.report.verdicts:
        if v.pack.id not in packs:
            continue
        fresh = {"ip": v.device.ip, "device": named(v.device, v.who or who(v.device)), "site": v.site}
        row = rows.setdefault(v.device.key, {**fresh, "cells": {}})
        row["cells"][v.pack.id] = {"outcome": v.outcome.value, "due": day(v.due)}
    kept = [r for r in rows.values() if any(c["outcome"] != "complies" for c in r["cells"].values())]
    return sorted(kept, key=lambda r: _ip_key(str(r["ip"])))


def _ip_key(ip: str) -> tuple[int, int]:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return (9, 0)
    return (addr.version, int(addr))


def compliance_view(judgement: Judgement) -> dict[str, Any]:
    """The report's part: one compact table of devices by pack, each pack's terms once, the removal
    plan by device brand and model with dates, privacy capabilities."""
    verdicts = sorted(judgement.report.verdicts, key=lambda v: (v.pack.id, v.device.ip))
    notes = _pack_notes(judgement)
    columns = [n["id"] for n in notes]
    devices = {t.device.key: t.device for t in judgement.inputs.tracked}
    return {
        "audit": judgement.inputs.audit_id,
        "packs": _pack_rows(judgement.report, judgement.packs),
        "notes": notes,
        "columns": columns,
        "matrix": _matrix(judgement, columns),
        "violations": [verdict_row(v) for v in verdicts if v.outcome is Outcome.VIOLATES],
        "undetermined": [verdict_row(v) for v in verdicts if v.outcome is Outcome.UNDETERMINED],
        "plan": plan_json(judgement.plan, devices),
        "privacy": _privacy(judgement.capabilities),
    }
