"""Known vulnerabilities: the CVE data matched against identified devices, then verified where safe.

For each CVE of the device's true manufacturer (OEM rebrands inherit: never the label brand), each
affected product line is matched on device type, model regex and firmware range. The finding says

- ``affected`` when a line matches fully (``verified: false``: inferred from the version);
- ``undetermined`` when the model or firmware is unknown or unparsable, with which one in the reason;
- nothing when no line can match.

When the CVE names a safe verification (`camaudit.assess.verify`), ``--verify`` is on and the device
is affected or undetermined, the verification runs once: a confirmation makes the finding ``affected``
and ``verified: true``; a refusal or no answer is recorded in the details but does not clear a
version-based finding (an unproven negative is not "safe").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from camaudit.assess.framework import AssessOptions, Context
from camaudit.assess.verify import Outcome, VerifyResult, by_id
from camaudit.assess.versions import in_any
from camaudit.data.cves import Cve, ProductLine, load_cves
from camaudit.model import Device, Evidence, Finding, FindingKind, Severity
from camaudit.values import Firmware, parse_firmware

ID = "cves"


@dataclass(frozen=True, slots=True)
class Match:
    """How one CVE matched a device: True affected, None undetermined (with the reason)."""

    cve: Cve
    affected: bool | None
    line: ProductLine
    reason: str = ""


def device_firmware(device: Device) -> tuple[Firmware | None, str]:
    """The device's parsed firmware with the build date identification found for it, or why there is none."""
    if not device.firmware:
        return None, "firmware unknown"
    firmware = parse_firmware(device.firmware)
    if firmware is None:
        return None, f"firmware {device.firmware[:80]!r} is not a known spelling"
    return replace(firmware, build=firmware.build or device.firmware_build), ""


def _model_ok(line: ProductLine, device: Device) -> bool | None:
    if line.model is None:
        return True
    return bool(line.model.search(device.model)) if device.model else None


def match_line(line: ProductLine, device: Device, fw: Firmware | None, why: str) -> tuple[bool | None, str]:
    if line.device_types and device.device_type and device.device_type not in line.device_types:
        return False, ""
    model = _model_ok(line, device)
    firmware = True if not line.ranges else (in_any(fw, line.ranges) if fw else None)
    if model is False or firmware is False:
        return False, ""
    if model and firmware:
        return True, ""
    reasons = [] if model else ["model unknown"]
    if firmware is None:
        reasons.append(why or "the firmware lacks the build date the affected range is defined by")
    return None, "; ".join(reasons)


def match_cve(cve: Cve, device: Device, fw: Firmware | None, why: str) -> Match | None:
    unsure: Match | None = None
    for line in cve.affected:
        result, reason = match_line(line, device, fw, why)
        if result:
            return Match(cve, True, line)
        if result is None and unsure is None:
            unsure = Match(cve, None, line, reason)
    return unsure


def _details(m: Match, device: Device) -> dict[str, str]:
    cve, line = m.cve, m.line
    details = {"cve": cve.id, "product": line.product, "firmware": device.firmware or "unknown"}
    details |= {"cisa_kev": str(cve.kev.cisa).lower(), "vulncheck_kev": str(cve.kev.vulncheck).lower()}
    if cve.kev.cisa_added and cve.kev.cisa_due:
        details |= {
            "cisa_kev_added": cve.kev.cisa_added.isoformat(),
            "cisa_kev_due": cve.kev.cisa_due.isoformat(),
        }
    if cve.cvss:
        details |= {
            "cvss": f"{cve.cvss.score:g}",
            "cvss_vector": cve.cvss.vector,
            "cvss_version": cve.cvss.version,
        }
    fixed = line.fixed or ", ".join(cve.fixed)
    extra = {"fixed": fixed, "note": line.note or "", "reason": m.reason, "check": cve.check or ""}
    details |= {k: v for k, v in extra.items() if v}
    details["check_note"] = cve.check_note or "version-based"
    details["severity_if_affected"] = cve.severity.value
    return details


def _evidence(device: Device, m: Match) -> tuple[Evidence, ...]:
    """The identification evidence for the model and firmware, plus what this check concluded."""
    used = [e for e in device.evidence if {"model", "firmware"} & set(e.claims)][:4]
    claims = {"cve": m.cve.id, "product": m.line.product}
    for name in ("model", "firmware"):
        value = getattr(device, name)
        used.append(
            Evidence("device", name, value or "unknown", m.cve.id, "assess:cves", device.ip, None, claims)
        )
    return tuple(used)


def finding(m: Match, device: Device, verified: VerifyResult | None = None) -> Finding:
    confirmed = verified is not None and verified.outcome is Outcome.CONFIRMED
    affected = bool(m.affected) or confirmed
    details = _details(m, device)
    if verified is not None:
        details |= {"verification": verified.outcome.value, "verification_reason": verified.reason}
        if confirmed:
            details.pop("reason", None)
    return Finding(
        check_id=m.cve.check_id,
        kind=FindingKind.VULNERABILITY,
        severity=m.cve.severity if affected else Severity.INFO,
        title=f"{m.cve.id}: {m.cve.title}",
        evidence=_evidence(device, m) + (verified.evidence if verified else ()),
        remediation=m.cve.remediation,
        references=m.cve.references,
        verified=confirmed,
        status="affected" if affected else "undetermined",
        details=details,
    )


async def _verify(
    m: Match, device: Device, context: Context, done: dict[str, VerifyResult]
) -> VerifyResult | None:
    check = by_id(m.cve.check) if m.cve.check else None
    if check is None or not context.options.verify or context.connector is None:
        return None
    if not check.applies_to(device):  # gated by identification: the true maker, never the label
        return None
    if check.id not in done:
        done[check.id] = await check.run(device, context)
    return done[check.id]


@dataclass(frozen=True, slots=True)
class CveCheck:
    """Registry entry (see `camaudit.assess.Check`)."""

    id: str = ID

    def enabled(self, options: AssessOptions) -> bool:
        return True

    def applies_to(self, device: Device) -> bool:
        return device.manufacturer is not None

    async def run(self, device: Device, context: Context) -> Sequence[Finding]:
        fw, why = device_firmware(device)
        done: dict[str, VerifyResult] = {}
        found = []
        for cve in load_cves():
            if cve.manufacturer != device.manufacturer:
                continue
            m = match_cve(cve, device, fw, why)
            if m is not None:
                found.append(finding(m, device, await _verify(m, device, context, done)))
        return found


CHECK = CveCheck()
