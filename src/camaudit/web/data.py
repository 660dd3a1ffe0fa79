"""What the pages show, from the report's one view-model (`report.build`) and the register's readers.

No shape is written twice: devices, findings, policy verdicts, the plan and diffs are the report's views
(`report/views/`); this module only filters, sorts and pages them, and caches the built view until the
register changes (a new audit, or a person's field).
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camaudit import report
from camaudit.model import FindingKind, Severity
from camaudit.report.formats.csv import DEVICE_COLUMNS, device_row
from camaudit.report.spreadsheet import safe_cell
from camaudit.report.views.register import audit_json, diff_json, finding_json
from camaudit.store import Reader, diff
from camaudit.store.reader import audit_kind
from camaudit.store.records import Change

PolicyChoice = tuple[str | None, Sequence[str], Sequence[str]]
PER_PAGE = 50
MAX_PER_PAGE = 500
MAX_QUERY = 200  # characters of a search or filter value kept
FILTERS = ("site", "maker", "brand", "type", "status", "finding", "pack", "verdict", "q")
SORTS = ("ip", "manufacturer", "brand", "model", "firmware", "type", "site", "status", "due", "findings")
_RANK = {s.value: i for i, s in enumerate(Severity)}


class Register:
    """The register as the dashboard reads it: the report's view of the latest audit, cached."""

    def __init__(self, db: str | Path | None, policy: PolicyChoice | None = (None, (), ())) -> None:
        self.db, self.policy = db, policy
        self._lock = threading.Lock()
        self._cached: tuple[Any, dict[str, Any]] | None = None

    def reader(self) -> Reader:
        return Reader(self.db)

    def _version(self) -> tuple[Any, ...]:
        with self.reader() as reader:
            audits = tuple((a.id, a.finished) for a in reader.audits())
            return audits, reader.last_change()

    def view(self) -> dict[str, Any] | None:
        """The report's view of the latest finished audit (None while the register holds none)."""
        version = self._version()
        with self._lock:
            if self._cached is None or self._cached[0] != version:
                if not any(finished for _id, finished in version[0]):
                    return None
                self._cached = (version, report.build(self.db, policy=self.policy))
            return self._cached[1]

    def device(self, device_id: int) -> dict[str, Any] | None:
        view = self.view()
        found = [d for d in (view or {}).get("devices", []) if d["register"]["id"] == device_id]
        return found[0] if found else None

    def audits(self) -> list[dict[str, Any]]:
        with self.reader() as reader:
            return [audit_json(a) for a in reversed(reader.audits())]

    def diff(self, before: str, after: str) -> dict[str, Any]:
        with self.reader() as reader:
            a, b = reader.audit(before), reader.audit(after)
            return diff_json(diff(a.id, reader.devices(a.id), b.id, reader.devices(b.id)))

    def traffic(self) -> dict[str, Any]:
        """The latest finished passive (traffic) audit and its egress findings, device by device."""
        with self.reader() as reader:
            audits = [a for a in reader.audits() if a.complete and audit_kind(a) == "traffic"]
            if not audits:
                return {"audit": None, "findings": []}
            found = reader.findings(audits[-1].id)
        egress = [finding_json(r, f) for r, f in found if f.kind is FindingKind.EGRESS]
        return {"audit": audit_json(audits[-1]), "findings": egress}

    def changes(self, device_id: int | None = None) -> list[dict[str, Any]]:
        with self.reader() as reader:
            return [change_json(c) for c in reader.change_log(device_id)]


def change_json(c: Change) -> dict[str, Any]:
    return {
        "id": c.id,
        "device_id": c.device_id,
        "at": c.at.isoformat(timespec="seconds"),
        "who": c.who,
        "field": c.field,
        "before": c.before,
        "after": c.after,
    }


# --- the device list: filter, search, sort, page ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Query:
    filters: Mapping[str, str]
    sort: str = "ip"
    descending: bool = False
    page: int = 1
    per: int = PER_PAGE

    def link(self, **changes: Any) -> dict[str, str]:
        """The query's parameters (for links), with some changed."""
        params = {k: v for k, v in self.filters.items() if v}
        params["sort"] = ("-" if self.descending else "") + self.sort
        params["page"], params["per"] = str(self.page), str(self.per)
        params.update({k: str(v) for k, v in changes.items()})
        return params


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value or default)))
    except ValueError:
        return default


def parse_query(params: Mapping[str, str]) -> Query:
    """Bad or unknown parameters fall back to defaults: a link someone edited never breaks the page."""
    filters = {k: str(params.get(k, ""))[:MAX_QUERY].strip() for k in FILTERS if params.get(k)}
    sort = str(params.get("sort") or "ip")
    descending = sort.startswith("-")
    sort = sort.lstrip("-")
    if sort not in SORTS:
        sort, descending = "ip", False
    per = _int(params.get("per"), PER_PAGE, 1, MAX_PER_PAGE)
    return Query(filters, sort, descending, _int(params.get("page"), 1, 1, 1_000_000), per)


def _policy(device: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(pack id lower-case, outcome) of each stored policy finding (check id ``policy-<pack>``)."""
    return [
        (f["check_id"].removeprefix("policy-"), f["status"])
        for f in device["findings"]
        if f["kind"] == "policy"
    ]


_HAYSTACK = ("ip", "mac", "model", "firmware", "serial", "brand_name", "manufacturer_name", "type_name")
_PEOPLE = ("site", "location", "owner", "notes", "key")


def _matches(d: Mapping[str, Any], name: str, value: str) -> bool:
    reg, low = d["register"], value.lower()
    tests: dict[str, Callable[[], bool]] = {
        "site": lambda: (reg["site"] or "").lower() == low,
        "maker": lambda: (d["manufacturer"] or "unknown") == value,
        "brand": lambda: (d["brand"] or "unknown") == value,
        "type": lambda: (d["device_type"] or "unknown") == value,
        "status": lambda: reg["status"] == value,
        "finding": lambda: any(f["check_id"] == value for f in d["findings"]),
        "pack": lambda: any(p == low for p, _o in _policy(d)),
        "verdict": lambda: any(o == low for _p, o in _policy(d)),
        "q": lambda: (
            any(low in str(d.get(k) or "").lower() for k in _HAYSTACK)
            or any(low in str(reg.get(k) or "").lower() for k in _PEOPLE)
        ),
    }
    return tests[name]()


def _pack_verdict(d: Mapping[str, Any], pack: str, verdict: str) -> bool:
    return any(p == pack.lower() and o == verdict.lower() for p, o in _policy(d))


def filtered(devices: Iterable[Mapping[str, Any]], query: Query) -> list[Mapping[str, Any]]:
    """Devices that pass every filter; with both `pack` and `verdict`, that pack's verdict must match."""
    chosen = [d for d in devices if all(_matches(d, k, v) for k, v in query.filters.items())]
    pack, verdict = query.filters.get("pack"), query.filters.get("verdict")
    if pack and verdict:
        chosen = [d for d in chosen if _pack_verdict(d, pack, verdict)]
    return sorted(chosen, key=_sort_key(query.sort), reverse=query.descending)


def _ip_key(d: Mapping[str, Any]) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in str(d["ip"]).split("."))
    except ValueError:
        return (999,)


def _sort_key(sort: str) -> Callable[[Mapping[str, Any]], Any]:
    if sort == "ip":
        return _ip_key
    if sort == "findings":
        return lambda d: (len(d["findings"]), _ip_key(d))
    field = {"type": "type_name", "manufacturer": "manufacturer_name", "brand": "brand_name"}.get(sort, sort)
    return lambda d: (str(d.get(field) or d["register"].get(field) or "~").lower(), _ip_key(d))


def page(rows: Sequence[Mapping[str, Any]], query: Query) -> tuple[list[Mapping[str, Any]], int]:
    """One page of rows and how many pages there are."""
    pages = max(1, -(-len(rows) // query.per))
    start = (min(query.page, pages) - 1) * query.per
    return list(rows[start : start + query.per]), pages


def worst(device: Mapping[str, Any]) -> str | None:
    severities = [f["severity"] for f in device["findings"]]
    return min(severities, key=lambda s: _RANK.get(s, 99)) if severities else None


def row(device: Mapping[str, Any]) -> dict[str, Any]:
    """One line of the device list (HTML and JSON): the report's device, shortened."""
    reg = device["register"]
    return {
        "id": reg["id"],
        "ip": device["ip"],
        "brand": device["brand_name"],
        "manufacturer": device["manufacturer_name"],
        "rebrand": bool(
            device["brand"] and device["manufacturer"] and device["brand"] != device["manufacturer"]
        ),
        "model": device["model"],
        "firmware": device["firmware"],
        "type": device["type_name"],
        "site": reg["site"],
        "owner": reg["owner"],
        "status": reg["status"],
        "due": reg["due"],
        "findings": len(device["findings"]),
        "worst": worst(device),
    }


def options(devices: Sequence[Mapping[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """The choices of each filter's drop-down: (value, label), from what the register holds."""

    def pairs(
        value: Callable[[Mapping[str, Any]], str], label: Callable[[Mapping[str, Any]], str]
    ) -> list[tuple[str, str]]:
        return sorted({(value(d), label(d)) for d in devices}, key=lambda p: p[1].lower())

    checks = sorted({f["check_id"] for d in devices for f in d["findings"] if f["kind"] != "policy"})
    packs = sorted({p for d in devices for p, _o in _policy(d)})
    return {
        "site": [(s, s) for s in sorted({d["register"]["site"] for d in devices if d["register"]["site"]})],
        "maker": pairs(lambda d: d["manufacturer"] or "unknown", lambda d: d["manufacturer_name"]),
        "brand": pairs(lambda d: d["brand"] or "unknown", lambda d: d["brand_name"]),
        "type": pairs(lambda d: d["device_type"] or "unknown", lambda d: d["type_name"]),
        "status": [(s, s.replace("_", " ")) for s in sorted({d["register"]["status"] for d in devices})],
        "finding": [(c, c) for c in checks],
        "pack": [(p, p.upper()) for p in packs],
        "verdict": [("violates", "violates"), ("undetermined", "undetermined"), ("complies", "complies")],
    }


def devices_csv(devices: Iterable[Mapping[str, Any]]) -> str:
    """Exactly the filtered devices, as the report's CSV writes a device (cells safe from formulas)."""
    return _csv((device_row(d) for d in devices), DEVICE_COLUMNS)


CHANGE_COLUMNS = ("id", "device_id", "at", "who", "field", "before", "after")


def changes_csv(changes: Iterable[Mapping[str, Any]]) -> str:
    return _csv(changes, CHANGE_COLUMNS)


def _csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: safe_cell(r.get(k)) for k in columns})
    return out.getvalue()


# --- grouped pages --------------------------------------------------------------------------------


def findings_by_check(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The report's findings grouped by check, worst first, each with its devices."""
    groups: dict[str, dict[str, Any]] = {}
    for f in view["findings"]:
        if f["kind"] == "policy":
            continue
        g = groups.setdefault(
            f["check_id"],
            {"check_id": f["check_id"], "title": f["title"], "severity": f["severity"], "kind": f["kind"],
             "kev": False, "remediation": f["remediation"], "references": f["references"], "devices": []},
        )  # fmt: skip
        g["kev"] = g["kev"] or f["kev"]
        g["devices"].append(
            {"id": f["device_id"], "ip": f["ip"], "verified": f["verified"], "status": f["status"]}
        )
    return sorted(
        groups.values(), key=lambda g: (_RANK.get(g["severity"], 99), -len(g["devices"]), g["check_id"])
    )
