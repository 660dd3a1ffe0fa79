"""Which privacy-intrusive capabilities each device has, and which are switched on.

Two sources: identification (device types and model families that have a capability by design,
``data/capabilities.yaml``) says a capability is *present*; an authenticated read with the owner's
credentials (`assess.authenticated`: ``auth.read`` observations with ``auth.analytics.<name>`` =
``enabled``/``disabled``) says whether it is *enabled*. Only the second may say "enabled": the
impact assessment lists exactly what was read as enabled, and marks the rest as needing a person.
Enabled face capture, ANPR or audio recording are DPIA triggers (ICO video surveillance guidance;
UK GDPR Art 35) and need signage that says so (NZ OPC: tell people when sound is recorded).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from camaudit.data.capabilities import Capability, load_capabilities
from camaudit.model import Device, Evidence, Finding, FindingKind, Observation, Severity

PREFIX = "auth.analytics."
# assess.authenticated's analytic names -> our capability vocabulary.
_AUTH_NAMES: Mapping[str, Capability] = {
    "face_capture": Capability.FACE_CAPTURE,
    "face_recognition": Capability.FACE_RECOGNITION,
    "anpr": Capability.ANPR,
    "audio": Capability.AUDIO_RECORDING,
    "audio_recording": Capability.AUDIO_RECORDING,
    "people_counting": Capability.PEOPLE_COUNTING,
    "thermal_screening": Capability.THERMAL_SCREENING,
}
LABELS: Mapping[Capability, str] = {
    Capability.FACE_CAPTURE: "face capture",
    Capability.FACE_RECOGNITION: "face recognition",
    Capability.ANPR: "number-plate recognition (ANPR)",
    Capability.AUDIO_RECORDING: "audio recording",
    Capability.PEOPLE_COUNTING: "people counting",
    Capability.THERMAL_SCREENING: "thermal screening",
}
# ICO: special-category (biometric) data and ANPR are high-risk processing; audio is more intrusive.
_SEVERITY: Mapping[Capability, Severity] = {
    Capability.FACE_CAPTURE: Severity.MEDIUM,
    Capability.FACE_RECOGNITION: Severity.HIGH,
    Capability.ANPR: Severity.MEDIUM,
    Capability.AUDIO_RECORDING: Severity.MEDIUM,
    Capability.PEOPLE_COUNTING: Severity.LOW,
    Capability.THERMAL_SCREENING: Severity.MEDIUM,
}
REFERENCES = (
    "https://www.privacylaws.com/news/ico-issues-new-guidance-on-cctv-and-surveillance/",
    "https://www.privacy.org.nz/resources-and-learning/a-z-topics/privacy-and-cctv",
)


@dataclass(frozen=True, slots=True)
class DeviceCapabilities:
    """What one device can do and what it was read to be doing.

    Attributes:
        present: capabilities known from identification or an authenticated read.
        enabled: capabilities an authenticated read found switched on.
        disabled: capabilities an authenticated read found switched off.
        read: True when any authenticated analytics read was made (else "enabled" is unknown).
        evidence: where each conclusion came from, for people to check.
    """

    device: Device
    present: frozenset[Capability] = frozenset()
    enabled: frozenset[Capability] = frozenset()
    disabled: frozenset[Capability] = frozenset()
    read: bool = False
    evidence: tuple[Evidence, ...] = ()

    @property
    def unknown(self) -> frozenset[Capability]:
        """Present but never read: whether it is on needs a person (or --credentials)."""
        return self.present - self.enabled - self.disabled


def _auth_facts(
    device: Device, observations: Iterable[Observation]
) -> list[tuple[Capability, str, Evidence]]:
    """(capability, state, evidence) from auth.read observations and auth.analytics evidence."""
    out = []
    ips = set(device.ips)
    for obs in observations:
        if obs.ip not in ips:
            continue
        for key, value in obs.fields.items():
            cap = _AUTH_NAMES.get(key.removeprefix(PREFIX)) if key.startswith(PREFIX) else None
            if cap is not None:
                ev = Evidence(
                    kind=obs.kind, field=key, value=value, source=obs.source, ip=obs.ip, port=obs.port
                )
                out.append((cap, value.strip().lower(), ev))
    for ev in (*device.evidence, *(e for f in device.findings for e in f.evidence)):
        cap = _AUTH_NAMES.get(ev.field.removeprefix(PREFIX)) if ev.field.startswith(PREFIX) else None
        if cap is not None:
            out.append((cap, ev.value.strip().lower(), ev))
    for finding in device.findings:  # assess.checks' authenticated findings carry the facts in details
        for key, value in finding.details.items():
            cap = _AUTH_NAMES.get(key.removeprefix(PREFIX)) if key.startswith(PREFIX) else None
            if cap is not None:
                ev = Evidence(kind="finding", field=key, value=value, rule_id=finding.check_id, ip=device.ip)
                out.append((cap, value.strip().lower(), ev))
    return out


def _by_design(device: Device) -> list[tuple[Capability, Evidence]]:
    out: list[tuple[Capability, Evidence]] = []
    for rule in load_capabilities():
        if rule.matches(device.device_type, device.model):
            value = device.model or device.device_type or ""
            ev = Evidence(kind="identification", field="device_type/model", value=value, rule_id=rule.id)
            out.extend((cap, ev) for cap in sorted(rule.capabilities))
    return out


def capabilities(device: Device, observations: Iterable[Observation] = ()) -> DeviceCapabilities:
    """Capabilities of one device from its identification and any authenticated reads."""
    facts = _auth_facts(device, observations)
    enabled = frozenset(c for c, state, _ in facts if state == "enabled")
    disabled = frozenset(c for c, state, _ in facts if state == "disabled") - enabled
    designed = _by_design(device)
    present = frozenset(c for c, _ in designed) | enabled | disabled
    evidence = tuple(e for *_, e in facts) + tuple(e for _, e in designed)
    return DeviceCapabilities(device, present, enabled, disabled, bool(facts), evidence)


def survey(
    devices: Sequence[Device], observations: Sequence[Observation] = ()
) -> tuple[DeviceCapabilities, ...]:
    return tuple(capabilities(d, observations) for d in devices)


def findings(caps: DeviceCapabilities) -> tuple[Finding, ...]:
    """One privacy finding per enabled capability (an impact assessment must cover it)."""
    out = []
    for cap in sorted(caps.enabled):
        used = tuple(
            e
            for e in caps.evidence
            if e.field.endswith(cap.value) or _AUTH_NAMES.get(e.field.removeprefix(PREFIX)) is cap
        )
        out.append(
            Finding(
                check_id=f"privacy-{cap.value.replace('_', '-')}-enabled",
                kind=FindingKind.PRIVACY,
                severity=_SEVERITY[cap],
                title=f"{LABELS[cap].capitalize()} is enabled: a DPIA and signage must cover it",
                evidence=used,
                remediation="Confirm a current DPIA/PIA covers this device, or switch the feature off.",
                references=REFERENCES,
                verified=True,  # read from the device's own configuration
                status="enabled",
                details={"capability": cap.value},
            )
        )
    return tuple(out)
