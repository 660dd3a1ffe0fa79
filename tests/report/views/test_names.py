"""People's names for ids, and the one-line description of a device."""

from __future__ import annotations

from camaudit.model import Device, Finding, FindingKind, Severity
from camaudit.report.views.names import (
    device_line,
    findings_phrase,
    is_camera,
    made_by,
    maker_name,
    type_name,
)


def _f(severity: Severity, status: str = "affected") -> Finding:
    return Finding("c", FindingKind.EXPOSURE, severity, "t", status=status)


def test_names_come_from_the_vocabulary() -> None:
    assert (maker_name("hikvision"), maker_name(None), type_name("nvr")) == (
        "Hikvision",
        "unknown",
        "Network video recorder",
    )
    assert is_camera(Device(ips=("x",), device_type="ip_camera"))
    assert not is_camera(Device(ips=("x",), device_type="printer"))


def test_made_by_says_who_made_it_and_whose_label_it_wears() -> None:
    assert made_by(Device(ips=("x",), brand="lorex", manufacturer="dahua")) == "Dahua (sold as Lorex)"
    assert made_by(Device(ips=("x",), brand="dahua", manufacturer="dahua")) == "Dahua"
    assert made_by(Device(ips=("x",), brand="lorex")) == "Lorex label, maker unknown"
    assert made_by(Device(ips=("x",))) == "not identified"


def test_findings_phrase_ignores_undetermined() -> None:
    assert findings_phrase([_f(Severity.LOW), _f(Severity.HIGH), _f(Severity.CRITICAL, "undetermined")]) == (
        "2 findings (1 high)"
    )
    assert findings_phrase([]) == "no findings"


def test_device_line() -> None:
    device = Device(ips=("10.0.0.5",), brand="lts", manufacturer="hikvision", model="DS-2CD2043G2-I",
                    firmware="V5.7.3", device_type="ip_camera", findings=(_f(Severity.HIGH),))  # fmt: skip
    assert device_line(device) == (
        "10.0.0.5  Hikvision (sold as LTS)  DS-2CD2043G2-I  V5.7.3  IP camera  1 finding (1 high)"
    )
