"""Page 1 of the report: the answer a board asks for, in sentences.

    organisation   the name camaudit.toml declares (None: not declared; the page says how to)
    headline       one sentence: who made the cameras, how many have flaws attackers are known to
                   exploit, how many removals are overdue
    actions        the few things to do first, each with how many devices and which
    trend          what changed since the previous audit of the same kind, in numbers

Built from the other parts of the view (finding groups, devices, the removal plan, the diff), so page 1
never says something the pages after it do not show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from camaudit.data.policies import load_policy_vocab
from camaudit.report.views.names import maker_name

# The groups page 1 names by themselves: the makers the US, UK, Australian and Taiwanese measures name.
COVERED_GROUPS = ("hikvision_group", "dahua_group")
MAX_ACTIONS = 5
MAX_NAMED = 4  # addresses listed in an action before "and N more"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _either(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def covered_makers() -> frozenset[str]:
    groups = load_policy_vocab().groups
    return frozenset(m for g in COVERED_GROUPS if g in groups for m in groups[g].manufacturers)


def headline(devices: Sequence[Mapping[str, Any]], kev_devices: int, overdue: int | None) -> str:
    """``14 of 17 cameras and recorders are made by Hikvision or Dahua, 5 of them sold under other
    brands; 4 have flaws attackers are known to exploit; 3 removals are overdue.``"""
    cameras = [d for d in devices if d["is_camera"]]
    covered = covered_makers()
    theirs = [d for d in cameras if d["manufacturer"] in covered]
    makers = sorted({maker_name(d["manufacturer"]) for d in theirs})
    parts = []
    if not cameras:
        parts.append("No camera or recorder was identified")
    elif theirs:
        sold = sum(1 for d in theirs if d["brand"] and d["brand"] != d["manufacturer"])
        part = f"{len(theirs)} of {_plural(len(cameras), 'camera and recorder', 'cameras and recorders')}"
        part += f" {'is' if len(theirs) == 1 else 'are'} made by {_either(makers)}"
        parts.append(part + (f", {sold} of them sold under other brands" if sold else ""))
    else:
        parts.append(f"None of the {len(cameras)} cameras and recorders is made by Hikvision or Dahua")
    if kev_devices:
        parts.append(
            f"{kev_devices} {'has' if kev_devices == 1 else 'have'} flaws attackers are known to exploit"
        )
    else:
        parts.append("none has a flaw on CISA's list of those attackers are known to exploit")
    if overdue:
        parts.append(f"{_plural(overdue, 'removal')} {'is' if overdue == 1 else 'are'} overdue")
    return "; ".join(parts) + "."


def _named(ips: Sequence[str]) -> str:
    shown = ", ".join(ips[:MAX_NAMED])
    return shown + (f" and {len(ips) - MAX_NAMED} more" if len(ips) > MAX_NAMED else "")


def _kev_action(groups: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    kev = [g for g in groups if g["kev"] and not g["undetermined"]]
    if not kev:
        return None
    ips = sorted({str(d["ip"]) for g in kev for d in g["devices"]})
    cves = ", ".join(str(g["check_id"]).upper() for g in kev)
    fixed = "; ".join(f"{str(g['check_id']).upper()}: {g['fixed']}" for g in kev if g["fixed"])
    return {
        "text": f"Update or take off the network the {_plural(len(ips), 'device')} with flaws attackers "
        f"are known to exploit ({cves})",
        "detail": (f"Fixed firmware: {fixed}. " if fixed else "") + f"Devices: {_named(ips)}.",
        "devices": len(ips),
    }


def _plan_actions(compliance: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    if not compliance:
        return []
    items = [
        i
        for site in compliance["plan"]["sites"].values()
        for i in site
        if i["state"] not in ("removed", "replaced")
    ]
    overdue = [i for i in items if i["overdue"]]
    later = [i for i in items if not i["overdue"]]
    actions = []
    if overdue:
        packs = sorted({p for i in overdue for p in i["packs"]})
        actions.append({
            "text": f"Remove or replace the {_plural(len(overdue), 'device')} past their deadline",
            "detail": f"Under {', '.join(packs)}. Devices: {_named([str(i['ip']) for i in overdue])}.",
            "devices": len(overdue),
        })  # fmt: skip
    if later:
        dates = sorted(i["due"] for i in later if i["due"])
        by = f" by {later_text(dates[0], later)}" if dates else ""
        actions.append({
            "text": f"Plan the replacement of {_plural(len(later), 'other covered device')}{by}",
            "detail": f"Devices: {_named([str(i['ip']) for i in later])}. The removal plan lists each.",
            "devices": len(later),
        })  # fmt: skip
    return actions


def later_text(first_due: str, items: Sequence[Mapping[str, Any]]) -> str:
    return next((str(i["due_text"]) for i in items if i["due"] == first_due), first_due)


def _finding_actions(groups: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    chosen = [g for g in groups if not g["undetermined"] and not g["kev"] and g["kind"] != "policy"]
    serious = [g for g in chosen if g["severity"] in ("critical", "high")]
    widest = sorted((g for g in chosen if g["severity"] == "medium"), key=lambda g: -g["count"])[:1]
    actions = []
    for g in [*serious, *widest]:
        ips = [str(d["ip"]) for d in g["devices"]]
        fix = f" {g['remediation']}" if g["remediation"] else ""
        actions.append({
            "text": f"{g['title']} ({_plural(len(ips), 'device')})",
            "detail": f"{fix.strip()} Devices: {_named(ips)}.".strip(),
            "devices": len(ips),
        })  # fmt: skip
    return actions


def actions(
    groups: Sequence[Mapping[str, Any]], compliance: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """What to do first: known-exploited flaws, overdue removals, other removals, then the worst and
    the widest findings (at most `MAX_ACTIONS`)."""
    first = [a for a in (_kev_action(groups),) if a is not None]
    return [*first, *_plan_actions(compliance), *_finding_actions(groups)][:MAX_ACTIONS]


def trend(change: Mapping[str, Any] | None, previous: Mapping[str, Any] | None, findings_before: int,
          findings_now: int) -> dict[str, Any] | None:  # fmt: skip
    """Numbers against the previous audit of the same kind (None for the first audit)."""
    if change is None or previous is None:
        return None
    counts = {k: len(change[k]) for k in ("new", "gone", "changed", "new_findings", "resolved_findings",
                                          "not_reaudited")}  # fmt: skip
    parts = [
        _plural(counts["new"], "new device"),
        f"{counts['gone']} gone",
        f"{counts['changed']} changed",
        f"{_plural(counts['new_findings'], 'new finding')}",
        f"{counts['resolved_findings']} resolved",
    ]
    text = f"Since the audit of {previous['started_text']}: " + ", ".join(parts)
    text += f"; findings {findings_before} then, {findings_now} now."
    if counts["not_reaudited"]:
        text += (
            f" {_plural(counts['not_reaudited'], 'device')} outside this audit's scope "
            f"{'was' if counts['not_reaudited'] == 1 else 'were'} not re-audited (neither gone nor fixed)."
        )
    return {"text": text, **counts, "findings_before": findings_before, "findings_now": findings_now}
