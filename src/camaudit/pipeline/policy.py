"""A policy run: policy's inputs read (`report.inputs`), judged, and its verdicts recorded in the register.

Policy itself (`camaudit.policy`) never opens a file or the register. Verdicts that need action
(``violates`` and ``undetermined``) are stored as ``policy`` findings of the audit they judged, so the
report of that audit lists them even after the packs or the organisation's facts change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from camaudit.model import Finding, FindingKind
from camaudit.policy.inputs import load_context
from camaudit.policy.judgement import Judgement, judge
from camaudit.policy.obligations import Outcome
from camaudit.report.inputs import load_inputs
from camaudit.store import Register


def run_policy(
    db: str | Path | None,
    from_json: str | None,
    choice: tuple[str | None, Sequence[str], Sequence[str]],
    *,
    today: dt.date | None = None,
    sites: Sequence[str] = (),
    record: bool = False,
) -> Judgement:
    """Judge the register's latest audit (or a scan file) against the chosen packs.

    `choice` is (config file, shipped pack ids, pack files), as `policy.inputs.load_context` takes them.
    With `record`, the verdicts that need action are stored as that audit's policy findings.
    """
    config, packs = load_context(*choice)
    inputs = load_inputs(db, from_json)
    judgement = judge(inputs, config, packs, today=today, sites=sites)
    if record and inputs.audit_id is not None:
        with Register(db) as register:
            record_verdicts(register, judgement)
    return judgement


def record_verdicts(register: Register, judgement: Judgement) -> int:
    """Store the verdicts that need action as the judged audit's policy findings; returns how many.

    Earlier policy findings of that audit are replaced; devices the audit did not see get none.
    """
    audit_id = judgement.inputs.audit_id
    if audit_id is None:
        return 0  # judged from a scan file: there is no audit in the register to attach them to
    present = {t.device.key for t in judgement.inputs.tracked if t.present}
    found: dict[str, list[Finding]] = {key: [] for key in present}
    for verdict in judgement.report.verdicts:
        if verdict.outcome is not Outcome.COMPLIES and verdict.device.key in present:
            found[verdict.device.key].append(verdict.finding())
    register.replace_findings(audit_id, FindingKind.POLICY, found)
    return sum(len(f) for f in found.values())
