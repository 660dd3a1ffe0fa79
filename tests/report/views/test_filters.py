"""The Filter `devices` and `findings` share: ids or names, case-insensitive; finding filters pass a
device when one of its findings passes."""

from __future__ import annotations

from tests.store.conftest import finding, hik

from camaudit.model import Severity
from camaudit.report.views.filters import Filter
from camaudit.store import DeviceRecord, UserFields


def _record(**extra: object) -> DeviceRecord:
    device = hik(**extra)
    return DeviceRecord(1, f"ip:{device.ip}", device, UserFields(site="HQ"), None, None)


def test_names_and_ids_match_alike() -> None:
    lorex = _record(brand="lorex", manufacturer="dahua")
    assert Filter(maker="Dahua").device(lorex) and Filter(maker=" dahua ").device(lorex)
    assert Filter(brand="LOREX").device(lorex) and not Filter(brand="dahua").device(lorex)
    assert Filter(device_type="IP camera").device(lorex) and Filter(device_type="ip_camera").device(lorex)
    assert Filter(site="hq").device(lorex) and not Filter(site="Depot").device(lorex)


def test_finding_filters() -> None:
    low = finding("weak-tls", severity=Severity.LOW, details={})
    record = _record(findings=(low,))
    assert Filter(severity="low").device(record) and not Filter(severity="medium").device(record)
    assert not Filter(kev=True).device(record) and Filter(kev=True).finding(finding())
    assert Filter(check="WEAK-TLS").finding(low) and not Filter(check="cve-2017-7921").finding(low)
    assert (
        Filter().describe() == "" and Filter(maker="x", kev=True).describe() == "maker x, on CISA's KEV list"
    )
