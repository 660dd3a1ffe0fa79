"""What each policy requirement means for one covered device: the rules behind `policy.verdicts`.

A rule returns a `Step`: an outcome, its reason, the evidence that was missing, and a due date when
the requirement has one. Procurement bans judge the acquisition date (a device first seen before the
ban was bought before it); removal and patch requirements carry their deadline so the plan can track
it. KEV findings are read from vulnerability findings' details as `assess.checks.cves` writes them
(``cisa_kev``, ``cisa_kev_added``, ``cisa_kev_due``: the CISA catalog's own dates, BOD 22-01).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from camaudit.config import Config, Site
from camaudit.data.policies import Obligation, Requirement
from camaudit.model import Device, Finding, FindingKind


class Outcome(StrEnum):
    VIOLATES = "violates"
    UNDETERMINED = "undetermined"
    COMPLIES = "complies"


_RANK = {Outcome.COMPLIES: 0, Outcome.UNDETERMINED: 1, Outcome.VIOLATES: 2}
_KEV_DUE = ("cisa_kev_due", "kev_due", "kev_due_date")
_KEV_ADDED = ("cisa_kev_added", "kev_date_added", "kev_added")


@dataclass(frozen=True, slots=True)
class Context:
    """What the register (or the user) knows about a device beyond the scan.

    Attributes:
        site: the site it was annotated with (overrides the config's networks).
        first_seen: when camaudit first detected it (starts the FAR 52.204-25 clock).
        acquired: when it was bought, if recorded (procurement bans judge this date).
    """

    site: str | None = None
    first_seen: dt.datetime | None = None
    acquired: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One part of a decision: an outcome with its reason, what was missing, and a due date."""

    outcome: Outcome
    reason: str
    missing: tuple[str, ...] = ()
    due: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything one obligation may look at for one device."""

    device: Device
    site: Site | None
    context: Context
    config: Config
    today: dt.date
    assessed: bool


def _no_procurement(ob: Obligation, f: Facts) -> Step:
    assert ob.since is not None
    acquired = f.context.acquired
    if acquired is None and f.context.first_seen and f.context.first_seen.date() < ob.since:
        acquired = f.context.first_seen.date()  # seen before the ban: bought before it
    if acquired is None:
        return Step(Outcome.UNDETERMINED, f"{ob.text}: acquisition date unknown", ("acquisition date",))
    if acquired >= ob.since:
        return Step(Outcome.VIOLATES, f"{ob.text}: acquired {acquired}, on or after {ob.since}")
    return Step(Outcome.COMPLIES, f"acquired {acquired}, before the ban of {ob.since}")


def _no_use(ob: Obligation, f: Facts) -> Step:
    if ob.since and f.today < ob.since:
        return Step(Outcome.COMPLIES, f"not in force until {ob.since}")
    return Step(Outcome.VIOLATES, f"in use: {ob.text}", due=_deadline(f))


def _covered_list(ob: Obligation, f: Facts) -> Step:
    return Step(Outcome.VIOLATES, ob.text)


def _no_sensitive_site(ob: Obligation, f: Facts) -> Step:
    if f.site is None:
        missing = "site (address in no declared [[sites]] network)"
        return Step(Outcome.UNDETERMINED, "not on any declared site", (missing,))
    if f.site.sensitive is None:
        return Step(
            Outcome.UNDETERMINED,
            f"sensitivity of site {f.site.name} not declared",
            (f"sensitivity of site {f.site.name}",),
        )
    if f.site.sensitive:
        return Step(Outcome.VIOLATES, f"on sensitive site {f.site.name}: {ob.text}", due=_deadline(f))
    return Step(Outcome.COMPLIES, f"site {f.site.name} is declared not sensitive")


def _not_on_core(ob: Obligation, f: Facts) -> Step:
    core = f.config.core_networks
    if core is None:
        return Step(Outcome.UNDETERMINED, "core networks not declared", ("the departmental core networks",))
    on_core = [ip for ip in f.device.ips if Site("core", core).holds(ip)]
    if on_core:
        return Step(
            Outcome.VIOLATES, f"{on_core[0]} is inside a declared core network: {ob.text}", due=_deadline(f)
        )
    return Step(Outcome.COMPLIES, "not inside a declared core network")


def _remove_by(ob: Obligation, f: Facts) -> Step:
    assert ob.by is not None
    late = (f.today - ob.by).days
    when = f"overdue by {late} days" if late > 0 else f"due in {-late} days"
    return Step(Outcome.VIOLATES, f"{ob.text} (remove by {ob.by}, {when})", due=ob.by)


def _deadline(f: Facts) -> dt.date | None:
    """A removal deadline the user set: the site's, else the organisation's."""
    return (f.site.deadline if f.site else None) or f.config.removal_deadline


def kev_dates(finding: Finding) -> tuple[dt.date | None, dt.date | None] | None:
    """(due, added) of a KEV vulnerability finding; None when the finding is not a KEV one."""
    if finding.kind is not FindingKind.VULNERABILITY:
        return None
    details = finding.details
    flagged = any(str(details.get(k, "")).lower() in ("true", "yes", "1") for k in ("cisa_kev", "kev"))
    due = _first_date(details, _KEV_DUE)
    added = _first_date(details, _KEV_ADDED)
    return (due, added) if flagged or due or added else None


def _first_date(details: Mapping[str, str], keys: Iterable[str]) -> dt.date | None:
    for key in keys:
        try:
            return dt.date.fromisoformat(str(details[key])[:10])
        except (KeyError, ValueError):
            continue
    return None


def _patch_by(ob: Obligation, f: Facts) -> Step:
    steps = [
        _kev_step(ob, finding, dates, f) for finding in f.device.findings if (dates := kev_dates(finding))
    ]
    if steps:
        return worst(steps)
    if f.assessed:
        return Step(Outcome.COMPLIES, "no known-exploited vulnerability found")
    return Step(
        Outcome.UNDETERMINED, "no vulnerability assessment in this audit", ("vulnerability assessment",)
    )


def _kev_step(
    ob: Obligation, finding: Finding, dates: tuple[dt.date | None, dt.date | None], f: Facts
) -> Step:
    if finding.status not in ("affected", "vulnerable", "violates"):
        return Step(
            Outcome.UNDETERMINED, f"{finding.check_id}: {finding.status}", (f"{finding.check_id} status",)
        )
    due, added = dates
    if ob.max_age_days is not None:
        # Age of the finding: since it became known here (later of KEV listing and first detection).
        seen = f.context.first_seen.date() if f.context.first_seen else None
        known = [d for d in (added, seen) if d]
        due = (max(known) if known else f.today) + dt.timedelta(days=ob.max_age_days)
    if due is None:
        return Step(Outcome.UNDETERMINED, f"{finding.check_id}: KEV due date unknown", ("KEV due date",))
    late = (f.today - due).days
    if late <= 0:  # BOD 22-01 sets a date, not "patch at once": not yet late is not a breach
        return Step(
            Outcome.COMPLIES, f"{finding.check_id} (known exploited) unpatched, due in {-late} days", due=due
        )
    return Step(
        Outcome.VIOLATES, f"{finding.check_id} (known exploited) unpatched, overdue by {late} days", due=due
    )


_RULES: Mapping[Requirement, Callable[[Obligation, Facts], Step]] = {
    Requirement.NO_PROCUREMENT: _no_procurement,
    Requirement.NO_USE: _no_use,
    Requirement.COVERED_LIST: _covered_list,
    Requirement.NO_SENSITIVE_SITE: _no_sensitive_site,
    Requirement.NOT_ON_CORE_NETWORK: _not_on_core,
    Requirement.REMOVE_BY: _remove_by,
    Requirement.PATCH_BY: _patch_by,
}


def worst(steps: Sequence[Step]) -> Step:
    """The combined step: the worst outcome, every reason and missing item of that outcome."""
    top = max(steps, key=lambda s: _RANK[s.outcome]).outcome
    chosen = [s for s in steps if s.outcome is top]
    dues = [s.due for s in chosen if s.due]
    missing = tuple(dict.fromkeys(m for s in chosen for m in s.missing))
    return Step(top, "; ".join(s.reason for s in chosen), missing, min(dues) if dues else None)


def apply(obligation: Obligation, facts: Facts) -> Step:
    """The step for one requirement of a pack, for one covered device."""
    return _RULES[obligation.kind](obligation, facts)
