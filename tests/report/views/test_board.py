"""Page 1: one headline sentence, the first actions and the trend, from the parts of the view that the
pages after it show."""

from __future__ import annotations

from typing import Any

from camaudit.report.views import board


def _device(maker: str, brand: str, camera: bool = True) -> dict[str, Any]:
    return {"manufacturer": maker, "brand": brand, "is_camera": camera}


def _group(check: str, ips: list[str], **extra: Any) -> dict[str, Any]:
    values = {"check_id": check, "kind": "vulnerability", "severity": "high", "undetermined": False,
              "kev": False, "fixed": None, "title": check, "remediation": "", "count": len(ips),
              "devices": [{"ip": ip} for ip in ips]}  # fmt: skip
    return {**values, **extra}


def test_headline_counts_makers_rebrands_kev_and_overdue() -> None:
    devices = [_device("hikvision", "hikvision"), _device("hikvision", "lts"), _device("dahua", "lorex"),
               _device("axis", "axis"), _device("hp", "hp", camera=False)]  # fmt: skip
    text = board.headline(devices, kev_devices=2, overdue=3)
    assert text == (
        "3 of 4 cameras and recorders are made by Dahua or Hikvision, 2 of them sold under other brands; "
        "2 have flaws attackers are known to exploit; 3 removals are overdue."
    )
    western = board.headline([_device("axis", "axis")], kev_devices=0, overdue=None)
    assert western.startswith("None of the 1 cameras") and "none has a flaw" in western


def test_actions_put_known_exploited_flaws_first_with_fixed_firmware() -> None:
    groups = [
        _group("weak", ["10.0.0.9"], severity="medium"),
        _group("cve-2017-7921", ["10.0.0.1", "10.0.0.2"], kev=True, severity="critical", fixed="V5.4.5"),
    ]
    first, second = board.actions(groups, None)
    assert "2 devices with flaws attackers are known to exploit (CVE-2017-7921)" in first["text"]
    assert "CVE-2017-7921: V5.4.5" in first["detail"] and "10.0.0.1, 10.0.0.2" in first["detail"]
    assert second["text"] == "weak (1 device)"
    many = [_group(f"c{i}", ["10.0.0.1"], severity="critical") for i in range(9)]
    assert len(board.actions(many, None)) == board.MAX_ACTIONS


def test_trend_in_numbers_and_not_re_audited_said_apart() -> None:
    change = {"new": [1], "gone": [], "changed": [], "new_findings": [1, 2], "resolved_findings": [1],
              "not_reaudited": [1, 2]}  # fmt: skip
    trend = board.trend(change, {"started_text": "Mon 2 Nov 2026, 09:00 UTC"}, 5, 6)
    assert trend is not None
    assert trend["text"].startswith("Since the audit of Mon 2 Nov 2026, 09:00 UTC: 1 new device, 0 gone")
    assert (
        "findings 5 then, 6 now" in trend["text"]
        and "2 devices outside this audit's scope were not" in trend["text"]
    )
    assert board.trend(None, None, 0, 0) is None
