"""The removal plan from verdicts: grouping by site, due dates, done vs still seen, history."""

from __future__ import annotations

import datetime as dt

from camaudit.config import parse_config
from camaudit.data.policies import builtin_packs
from camaudit.model import Device
from camaudit.policy.plan import AuditSeen, Tracked, build_plan
from camaudit.policy.verdicts import evaluate
from camaudit.report.views.policy import plan_json

TODAY = dt.date(2026, 11, 23)
CONFIG = parse_config(
    """\
[organisation]
jurisdictions = ["TW"]
tw_public_agency = true
[[sites]]
name = "Taipei"
networks = ["10.1.0.0/16"]
[[sites]]
name = "Tainan"
networks = ["10.2.0.0/16"]
""",
    "t.toml",
)
HIK = Device(ips=("10.1.0.1",), mac="44:19:b6:00:00:01", manufacturer="hikvision", device_type="ip_camera")
DAHUA = Device(ips=("10.2.0.1",), mac="3c:ef:8c:00:00:01", manufacturer="dahua", device_type="nvr")
AXIS = Device(ips=("10.1.0.9",), mac="00:40:8c:00:00:01", manufacturer="axis", device_type="ip_camera")


def _plan(tracked: list[Tracked], **kw: object) -> dict[str, object]:
    report = evaluate([t.device for t in tracked], [builtin_packs()["TW-GOV-REMOVAL"]], CONFIG, today=TODAY)
    return plan_json(build_plan(tracked, report, today=TODAY, **kw))  # type: ignore[arg-type]


def test_covered_devices_grouped_by_site_with_the_pack_deadline() -> None:
    data = _plan([Tracked(HIK), Tracked(DAHUA), Tracked(AXIS)])
    sites = data["sites"]
    assert isinstance(sites, dict) and set(sites) == {"Taipei", "Tainan"}
    (item,) = sites["Taipei"]
    assert item["ip"] == "10.1.0.1" and item["due"] == "2021-12-31" and item["state"] == "overdue"
    assert data["summary"] == "0 of 2 covered devices removed or replaced; 2 overdue"


def test_the_persons_due_date_and_status_win() -> None:
    data = _plan([Tracked(HIK, status="to_replace", due=dt.date(2027, 3, 1))], sites=["Taipei"])
    (item,) = data["sites"]["Taipei"]  # type: ignore[index]
    assert (item["due"], item["overdue"], item["state"]) == ("2027-03-01", False, "to replace")


def test_done_only_when_marked_and_gone() -> None:
    tracked = [
        Tracked(HIK, status="removed", present=False),
        Tracked(DAHUA, status="replaced", present=True),
    ]
    data = _plan(tracked)
    states = {i["ip"]: i["state"] for items in data["sites"].values() for i in items}  # type: ignore[union-attr]
    assert states == {"10.1.0.1": "removed", "10.2.0.1": "marked replaced but still seen"}
    assert data["progress"] == {"covered": 2, "done": 1, "overdue": 1, "not_seen": 0}
    gone = _plan([Tracked(HIK, present=False)])
    assert gone["progress"] == {"covered": 1, "done": 0, "overdue": 1, "not_seen": 1}


def test_history_counts_covered_devices_each_audit_saw() -> None:
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    history = [
        AuditSeen("a1", t0, frozenset({HIK.key, DAHUA.key, AXIS.key})),
        AuditSeen("a2", t0 + dt.timedelta(days=30), frozenset({DAHUA.key, AXIS.key})),
    ]
    data = _plan(
        [Tracked(HIK, status="removed", present=False), Tracked(DAHUA), Tracked(AXIS)], history=history
    )
    assert [p["covered_present"] for p in data["history"]] == [2, 1]  # type: ignore[union-attr]
