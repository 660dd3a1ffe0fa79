"""The removal plan: covered devices per site, by deadline, and progress across audits.

Input is what the register knows (`Tracked`: a device as last seen, the status people set on it,
when it was first and last seen, whether the latest audit saw it) and the policy verdicts for those
devices. A device is *covered* when any enabled pack says `violates`. It counts as done when people
marked it removed or replaced **and** the latest audit no longer sees it; marked removed but still
answering is listed as such, never counted as done. The due date is the person's (register `due`),
else the pack's or the site's. For packs with a reporting clock (FAR 52.204-25(d)) each item shows
when the device was first detected and when the report is due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from camaudit.model import Device
from camaudit.policy.obligations import Outcome
from camaudit.policy.verdicts import PolicyReport, Verdict

DONE = frozenset({"removed", "replaced"})


@dataclass(frozen=True, slots=True)
class Tracked:
    """One device as the register tracks it."""

    device: Device
    status: str = "in_service"
    due: dt.date | None = None
    site: str | None = None
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    present: bool = True  # seen by the latest audit


@dataclass(frozen=True, slots=True)
class PlanItem:
    key: str
    ip: str
    who: str
    site: str
    packs: tuple[str, ...]
    reasons: tuple[str, ...]
    status: str
    present: bool
    due: dt.date | None = None
    overdue: bool = False
    first_detected: str | None = None
    report_due: str | None = None

    @property
    def done(self) -> bool:
        return self.status in DONE and not self.present

    @property
    def state(self) -> str:
        if self.done:
            return self.status
        if self.status in DONE:
            return f"marked {self.status} but still seen"
        if not self.present:
            return "not seen in the latest audit (confirm and mark removed)"
        return "overdue" if self.overdue else self.status.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Progress:
    covered: int
    done: int
    overdue: int
    not_seen: int

    def summary(self) -> str:
        return f"{self.done} of {self.covered} covered devices removed or replaced; {self.overdue} overdue"


@dataclass(frozen=True, slots=True)
class AuditSeen:
    """The register keys one audit saw."""

    audit_id: str
    started: dt.datetime
    keys: frozenset[str]


@dataclass(frozen=True, slots=True)
class AuditPoint:
    """How many covered devices one audit still saw."""

    audit_id: str
    started: dt.datetime
    present: int


@dataclass(frozen=True, slots=True)
class Plan:
    sites: tuple[tuple[str, tuple[PlanItem, ...]], ...]
    progress: Progress
    history: tuple[AuditPoint, ...] = ()

    @property
    def items(self) -> tuple[PlanItem, ...]:
        return tuple(i for _, items in self.sites for i in items)


def _item(tracked: Tracked, verdicts: Sequence[Verdict], today: dt.date) -> PlanItem:
    dues = [d for d in (tracked.due, *(v.due for v in verdicts)) if d]
    due = tracked.due or (min(dues) if dues else None)
    clock = next((v.clock for v in verdicts if "report_due" in v.clock), {})
    return PlanItem(
        key=tracked.device.key,
        ip=tracked.device.ip,
        who=verdicts[0].who,
        site=tracked.site or verdicts[0].site or "(no site)",
        packs=tuple(v.pack.id for v in verdicts),
        reasons=tuple(f"{v.pack.id}: {v.reason}" for v in verdicts),
        status=tracked.status,
        present=tracked.present,
        due=due,
        overdue=bool(due and due < today and not (tracked.status in DONE and not tracked.present)),
        first_detected=clock.get("first_detected"),
        report_due=clock.get("report_due"),
    )


def build_plan(
    tracked: Sequence[Tracked],
    report: PolicyReport,
    *,
    today: dt.date,
    sites: Sequence[str] = (),
    history: Sequence[AuditSeen] = (),
) -> Plan:
    """Items for every covered device (optionally only `sites`), grouped by site, soonest due first."""
    by_key: dict[str, list[Verdict]] = {}
    for verdict in report.verdicts:
        if verdict.outcome is Outcome.VIOLATES:
            by_key.setdefault(verdict.device.key, []).append(verdict)
    items = [_item(t, by_key[t.device.key], today) for t in tracked if t.device.key in by_key]
    if sites:
        items = [i for i in items if i.site in sites]
    grouped: dict[str, list[PlanItem]] = {}
    for item in sorted(items, key=lambda i: (i.due or dt.date.max, i.ip)):
        grouped.setdefault(item.site, []).append(item)
    progress = Progress(
        covered=len(items),
        done=sum(i.done for i in items),
        overdue=sum(i.overdue for i in items),
        not_seen=sum(not i.present and not i.done for i in items),
    )
    covered = {i.key for i in items}
    points = tuple(AuditPoint(a.audit_id, a.started, len(a.keys & covered)) for a in history)
    return Plan(tuple((s, tuple(v)) for s, v in sorted(grouped.items())), progress, points)
