"""Findings grouped by check: one row per check with the devices it affects, as people read them.

Twenty cameras with the same cleartext web interface are one problem with twenty devices, not twenty
rows. A group is one check id and one kind of conclusion (affected, or undetermined: "we could not
tell" is never merged with "affected"). Used by `camaudit findings`, `camaudit scan` and the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from camaudit.model import Device, Finding, FindingKind
from camaudit.report.views.names import SEVERITY_RANK, is_kev

MAX_LISTED = 8  # devices named in a one-line summary before "and N more"


@dataclass(frozen=True, slots=True)
class Affected:
    """A device a finding was made on, as a group lists it (`number` is the register's, when known)."""

    device: Device
    finding: Finding
    number: int | None = None


def _key(f: Finding) -> tuple[str, bool]:
    return f.check_id, f.status == "undetermined"


def _device(a: Affected) -> dict[str, Any]:
    d = a.device
    return {"id": a.number, "ip": d.ip, "model": d.model, "manufacturer": d.manufacturer,
            "brand": d.brand, "status": a.finding.status, "verified": a.finding.verified}  # fmt: skip


def _title(f: Finding) -> str:
    """The group's title: a policy finding's own title names its device, so the group names the pack."""
    if f.kind is not FindingKind.POLICY:
        return f.title
    pack = " ".join(str(f.details.get("pack_name") or f.details.get("pack") or f.check_id).split())
    if f.status == "undetermined":
        return f"Cannot tell yet whether the devices comply with {pack}"
    return f"Possible non-compliance with {pack} (check with counsel)"


def _why_unclear(items: Sequence[Affected]) -> str | None:
    """What an undetermined group waits for: the facts to declare (policy), else the first reason."""
    missing = dict.fromkeys(m.strip() for a in items for m in a.finding.details.get("missing", "").split(";"))
    missing.pop("", None)
    if missing:
        return "to decide, declare: " + "; ".join(missing)
    return next((a.finding.details["reason"] for a in items if a.finding.details.get("reason")), None)


def _group(items: Sequence[Affected]) -> dict[str, Any]:
    first = min((a.finding for a in items), key=lambda f: SEVERITY_RANK[f.severity.value])
    details = first.details
    return {
        "check_id": first.check_id,
        "kind": first.kind.value,
        "severity": first.severity.value,
        "undetermined": first.status == "undetermined",
        "title": _title(first),
        "kev": any(is_kev(a.finding) for a in items),
        "verified": sum(1 for a in items if a.finding.verified),
        "cvss": details.get("cvss"),
        "fixed": details.get("fixed"),
        "reason": _why_unclear(items) if first.status == "undetermined" else None,
        "remediation": first.remediation,
        "references": list(first.references),
        "count": len(items),
        "devices": [_device(a) for a in items],
    }


def by_check(items: Iterable[Affected]) -> list[dict[str, Any]]:
    """Groups, worst first: severity, then known-exploited, then most devices, then check id."""
    groups: dict[tuple[str, bool], list[Affected]] = {}
    for item in items:
        groups.setdefault(_key(item.finding), []).append(item)
    rows = [_group(found) for found in groups.values()]
    return sorted(
        rows,
        key=lambda g: (
            g["undetermined"],
            SEVERITY_RANK[g["severity"]],
            not g["kev"],
            -g["count"],
            g["check_id"],
        ),
    )


def of_devices(devices: Iterable[Device]) -> list[dict[str, Any]]:
    """`by_check` of a scan's devices (no register numbers)."""
    return by_check(Affected(d, f) for d in devices for f in d.findings)


def addresses(group: dict[str, Any], limit: int = MAX_LISTED) -> str:
    """``10.0.0.1, 10.0.0.7 and 3 more``: the devices of a group on one line."""
    ips = [str(d["ip"]) for d in group["devices"]]
    shown = ", ".join(ips[:limit])
    return shown + (f" and {len(ips) - limit} more" if len(ips) > limit else "")
