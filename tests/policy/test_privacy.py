"""Privacy capabilities: present by design vs read as enabled; one finding per enabled capability."""

from __future__ import annotations

from camaudit.data.capabilities import Capability
from camaudit.model import Device, Finding, FindingKind, Observation, Severity, Transport
from camaudit.policy.privacy import capabilities, findings, survey


def _read(ip: str, **analytics: str) -> Observation:
    fields = {f"auth.analytics.{k}": v for k, v in analytics.items()}
    return Observation("auth:cgi", ip, 80, Transport.TCP, "http", "auth.read", fields)


def test_nothing_is_enabled_without_an_authenticated_read() -> None:
    camera = Device(ips=("10.0.0.1",), manufacturer="dahua", device_type="ip_camera")
    caps = capabilities(camera)
    assert (caps.present, caps.enabled, caps.read) == (frozenset(), frozenset(), False)
    assert findings(caps) == ()


def test_observations_and_check_findings_both_count() -> None:
    camera = Device(ips=("10.0.0.1",), manufacturer="dahua", device_type="ip_camera")
    caps = capabilities(
        camera, [_read("10.0.0.1", face_capture="enabled", people_counting="disabled", anpr="on?")]
    )
    assert caps.enabled == {Capability.FACE_CAPTURE}
    assert caps.disabled == {Capability.PEOPLE_COUNTING}
    assert Capability.ANPR not in caps.enabled  # anything but "enabled" is not enabled
    checked = Finding(
        "auth-analytics-enabled",
        FindingKind.EXPOSURE,
        Severity.MEDIUM,
        "Analytics",
        details={"auth.analytics.audio": "enabled"},
    )
    from_check = capabilities(Device(ips=("10.0.0.2",), findings=(checked,)))
    assert from_check.enabled == {Capability.AUDIO_RECORDING}


def test_one_privacy_finding_per_enabled_capability_with_its_evidence() -> None:
    camera = Device(ips=("10.0.0.1",), manufacturer="hikvision", device_type="ip_camera")
    (caps,) = survey([camera], [_read("10.0.0.1", face_capture="enabled", audio="enabled", anpr="disabled")])
    result = {f.check_id: f for f in findings(caps)}
    assert set(result) == {"privacy-face-capture-enabled", "privacy-audio-recording-enabled"}
    face = result["privacy-face-capture-enabled"]
    assert face.kind is FindingKind.PRIVACY and face.verified and face.status == "enabled"
    assert [e.field for e in face.evidence] == ["auth.analytics.face_capture"]
    assert "DPIA" in face.title


def test_doorbells_have_audio_by_design() -> None:
    doorbell = Device(ips=("10.0.0.3",), manufacturer="hikvision", brand="ezviz", device_type="doorbell")
    caps = capabilities(doorbell)
    assert caps.present == {Capability.AUDIO_RECORDING} and caps.unknown == {Capability.AUDIO_RECORDING}
    assert caps.evidence[0].rule_id == "doorbell-two-way-audio"
