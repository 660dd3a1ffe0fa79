"""Assessment: checks turn identified devices into `Finding`s (STYLE.md R8).

    devices ──▶ assess(devices, context) ──▶ the same devices, `findings` filled

The framework (shared by every check family: CVEs, exposure, default credentials and authenticated reads
all plug into it the same way):

- A check is an object satisfying `Check`: an ``id``, ``enabled(options)`` (is it switched on for this
  run), ``applies_to(device)`` (gating by identification: manufacturer, model, type — never the label
  brand) and ``async run(device, context) -> findings``. It is registered by one line in
  `camaudit.assess.checks.CHECKS`; a guard test fails when a module there is not registered.
- `Context` carries what a check may use: every observation of the audit (``observations_for(device)``
  gives the device's own), the `AssessOptions` in force, and the `Connector` (`camaudit.net`) (None when the
  audit is offline, e.g. an import: active checks then report "undetermined", never "safe").
- Checks that touch the network send only `ReadOnlyRequest`s through ``context.connector``; the safe
  verifications live in `camaudit.assess.verify` (a guard test refuses sockets and HTTP clients there).
- Errors as data: a `ProtocolError` from device bytes becomes an ``undetermined`` finding naming the
  check and the reason; any other exception is a bug and propagates.
- Findings: ``status`` is ``affected`` / ``undetermined`` (with ``details["reason"]``) / a check-specific
  word; ``verified=True`` only when an active read-only check confirmed it; every finding carries the
  `Evidence` it rests on. Nothing secret (passwords, configuration, user lists) may enter a finding.

Checks run in registry order for each device (`camaudit.assess.runner`); devices are assessed
concurrently (the Connector bounds the traffic). Registry order matters only when a later check reads
``device.findings`` of earlier ones.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Protocol

from camaudit.errors import ProtocolError
from camaudit.model import Device, Evidence, Finding, FindingKind, LoginAttempt, Observation, Severity
from camaudit.net.connector import Connector
from camaudit.values import Firmware, firmware_build, normal_firmware, parse_firmware

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class AssessOptions:
    """What the user switched on. Never serialised as is: `public()` is what reports may show.

    Attributes:
        verify: run safe read-only active verifications (``--verify/--no-verify``).
        internet_facing: networks the user marks as reachable from the internet (``--internet-facing``).
        check_default_credentials: the opt-in default-password check (``--check-default-credentials``).
        credentials: the parsed ``--credentials FILE`` (`assess.credentials.CredentialSet`); never
            printed or stored.
    """

    verify: bool = True
    internet_facing: tuple[Network, ...] = ()
    check_default_credentials: bool = False
    credentials: object | None = field(default=None, repr=False)

    def public(self) -> dict[str, object]:
        """The options as they may appear in an audit record (no credential content)."""
        return {
            "verify": self.verify,
            "internet_facing": [str(n) for n in self.internet_facing],
            "check_default_credentials": self.check_default_credentials,
            "credentials": self.credentials is not None,
        }


@dataclass(frozen=True, slots=True)
class Context:
    """What a check may read or use.

    Attributes:
        observations: every observation of the audit.
        options: the options in force.
        connector: the Connector (`camaudit.net`) for read-only requests, or None (offline audit).
        logins: logins earlier audits made to these devices (the register's), so a lockout counter that
            outlives one audit is respected.
    """

    observations: tuple[Observation, ...] = ()
    options: AssessOptions = AssessOptions()
    connector: Connector | None = None
    logins: tuple[LoginAttempt, ...] = ()
    _by_ip: Mapping[str, tuple[Observation, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, list[Observation]] = {}
        for obs in self.observations:
            index.setdefault(obs.ip, []).append(obs)
        frozen = {ip: tuple(found) for ip, found in index.items()}
        object.__setattr__(self, "_by_ip", MappingProxyType(frozen))

    def logins_for(self, device: Device) -> tuple[LoginAttempt, ...]:
        """Earlier logins to this device (by register key), oldest first."""
        return tuple(a for a in self.logins if a.device_key == device.key)

    def observations_for(self, device: Device) -> tuple[Observation, ...]:
        """The observations made at any of the device's addresses."""
        return tuple(obs for ip in device.ips for obs in self._by_ip.get(ip, ()))


class Check(Protocol):
    """One check family (see the module docstring)."""

    @property
    def id(self) -> str: ...

    def enabled(self, options: AssessOptions) -> bool: ...

    def applies_to(self, device: Device) -> bool: ...

    async def run(self, device: Device, context: Context) -> Sequence[Finding]: ...


def undetermined(
    check_id: str,
    title: str,
    reason: str,
    *,
    kind: FindingKind = FindingKind.VULNERABILITY,
    severity: Severity = Severity.INFO,
    evidence: tuple[Evidence, ...] = (),
) -> Finding:
    """A finding that says "we could not tell", with the reason (never read as "safe")."""
    return Finding(
        check_id=check_id,
        kind=kind,
        severity=severity,
        title=title,
        evidence=evidence,
        status="undetermined",
        details={"reason": reason[:300]},
    )


async def run_check(check: Check, device: Device, context: Context) -> Sequence[Finding]:
    try:
        return await check.run(device, context)
    except ProtocolError as exc:
        return [undetermined(check.id, f"{check.id}: the device's answer did not parse", str(exc))]


# What a device tells its owner after a login outranks what it shows strangers: later checks (CVE matching
# on firmware builds, above all for Dahua, whose build date is only visible with a login) use it.
_OWNER_FACTS = {
    "auth.device.firmware": "firmware",
    "auth.device.model": "model",
    "auth.device.serial": "serial",
}


def from_owner_reads(device: Device) -> Device:
    """The device with model, firmware and serial from a verified authenticated read, evidence added."""
    facts = [
        e for f in device.findings if f.verified for e in f.evidence if e.field in _OWNER_FACTS and e.value
    ]
    if not facts:
        return device
    changes: dict[str, object] = {"firmware_inferred": False}
    for ev in facts:
        name = _OWNER_FACTS[ev.field]
        changes[name] = normal_firmware(ev.value) if name == "firmware" else ev.value
    if "firmware" in changes:
        changes["firmware_build"] = firmware_build(str(changes["firmware"]), _known_build(device))
    added = tuple(e for e in facts if e not in device.evidence)
    return replace(device, **changes, evidence=(*device.evidence, *added))  # type: ignore[arg-type]


def _known_build(device: Device) -> tuple[Firmware, ...]:
    """The build date already known for the device's firmware version (a login may omit it)."""
    known = parse_firmware(device.firmware)
    return (replace(known, build=device.firmware_build),) if known else ()


# A finding read from the device's own configuration (verified) says the same as one inferred from the
# outside; the report shows one finding carrying both pieces of evidence, not two.
SUPERSEDES = {
    "auth-cloud-enabled": "exposure-hik-connect-enabled",
    "auth-upnp-enabled": "exposure-upnp",
    "auth-telnet-enabled": "exposure-telnet-open",
    "auth-ssh-enabled": "exposure-ssh-open",
}


def superseded(findings: Sequence[Finding]) -> list[Finding]:
    """Drop an inferred finding that a verified one restates; its evidence moves to the verified one."""
    by_id = {f.check_id: f for f in findings}
    drop = {old for new, old in SUPERSEDES.items() if new in by_id and old in by_id}
    kept = []
    for finding in findings:
        if finding.check_id in drop:
            continue
        older = by_id.get(SUPERSEDES.get(finding.check_id, ""))
        if older is not None:
            finding = replace(finding, evidence=(*finding.evidence, *older.evidence))
        kept.append(finding)
    return kept
