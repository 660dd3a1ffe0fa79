"""The report's compliance part: policy verdicts per pack, the removal plan, privacy capabilities.

Built from the same inputs and packs as `camaudit policy` and `camaudit plan` (assess.compliance), so the
report, the commands and their JSON agree. Wording stays evidential: camaudit points at possible
non-compliance with a cited source; people and counsel decide.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from camaudit.assess.compliance import Inputs
from camaudit.assess.obligations import Outcome
from camaudit.assess.plan import build_plan, plan_json
from camaudit.assess.policy import PolicyReport, Verdict, evaluate, who
from camaudit.assess.privacy import survey
from camaudit.config import Config
from camaudit.data.policies import Pack


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


def _verdict_row(v: Verdict) -> dict[str, Any]:
    return {
        "pack": v.pack.id,
        "ip": v.device.ip,
        "device": v.who or who(v.device),
        "outcome": v.outcome.value,
        "reason": v.reason,
        "missing": list(v.missing),
        "site": v.site,
        "due": v.due.isoformat() if v.due else None,
        "title": v.title(),
    }


def _privacy(inputs: Inputs) -> list[dict[str, Any]]:
    rows = []
    for caps in survey(inputs.devices, inputs.observations):
        if caps.present or caps.enabled:
            rows.append(
                {
                    "ip": caps.device.ip,
                    "device": who(caps.device),
                    "present": sorted(c.value for c in caps.present),
                    "enabled": sorted(c.value for c in caps.enabled),
                    "read": caps.read,
                }
            )
    return rows


def compliance_view(
    inputs: Inputs, config: Config, packs: Sequence[Pack], today: dt.date | None = None
) -> dict[str, Any]:
    """Verdict counts per pack, violations and undetermined verdicts, the plan, privacy capabilities."""
    day = today or dt.datetime.now(dt.UTC).date()
    report = evaluate(inputs.devices, packs, config, contexts=inputs.contexts, today=day)
    plan = build_plan(inputs.tracked, report, today=day, history=inputs.history)
    verdicts = sorted(report.verdicts, key=lambda v: (v.pack.id, v.device.ip))
    return {
        "audit": inputs.audit_id,
        "packs": _pack_rows(report, packs),
        "violations": [_verdict_row(v) for v in verdicts if v.outcome is Outcome.VIOLATES],
        "undetermined": [_verdict_row(v) for v in verdicts if v.outcome is Outcome.UNDETERMINED],
        "plan": plan_json(plan),
        "privacy": _privacy(inputs),
    }
