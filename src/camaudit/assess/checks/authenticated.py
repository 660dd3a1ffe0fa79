"""The owner's authenticated audit (``--credentials FILE``) as a check: reads become findings.

For each Hikvision- or Dahua-made device that an entry of the credentials file names (most specific
wins, `camaudit.assess.credentials`), `camaudit.assess.authenticated.read_device` runs the fixed
read-only plan. Every fact read becomes `Evidence` (kind ``auth.read``, the path it came from as the
source); findings then say what matters: vendor cloud/P2P on, UPnP on, telnet or SSH on, DDNS on,
event push destinations, analytics that process people (face capture, ANPR, people counting, audio),
the accounts (names and roles only) and the cameras behind an NVR. A refused or locked login is an
``undetermined`` finding and the plan stops at once. Nothing of the configuration is stored raw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from camaudit.assess.authenticated import PLANS, AuthAudit, read_device
from camaudit.assess.credentials import CredentialSet
from camaudit.assess.framework import AssessOptions, Context, undetermined
from camaudit.model import Device, Evidence, Finding, FindingKind, Severity

ID = "authenticated-audit"


def _evidence(audit: AuthAudit) -> dict[str, Evidence]:
    out: dict[str, Evidence] = {}
    for obs in audit.observations:
        for key, value in obs.fields.items():
            if key not in ("auth.path", "auth.status"):
                out.setdefault(
                    key,
                    Evidence(
                        kind=obs.kind,
                        field=key,
                        value=value,
                        source=obs.source,
                        ip=obs.ip,
                        port=obs.port,
                        claims={"path": obs.fields["auth.path"]},
                    ),
                )
    return out


def _finding(
    check: str, kind: FindingKind, severity: Severity, title: str, ev: Sequence[Evidence], fix: str
) -> Finding:
    return Finding(
        check, kind, severity, title, tuple(ev), fix, verified=True, details={e.field: e.value for e in ev}
    )


def _on(facts: dict[str, Evidence], prefix: str) -> list[Evidence]:
    return [e for k, e in facts.items() if k.startswith(prefix) and e.value.split(":")[0] == "enabled"]


def _exposures(facts: dict[str, Evidence]) -> list[Finding]:
    rules = (
        (
            "auth-cloud-enabled",
            FindingKind.EXPOSURE,
            Severity.MEDIUM,
            "auth.cloud.",
            "Vendor cloud / P2P service is enabled",
            "Disable Hik-Connect/EZVIZ or Dahua P2P unless needed: it opens a path out of the network.",
        ),
        (
            "auth-upnp-enabled",
            FindingKind.EXPOSURE,
            Severity.MEDIUM,
            "auth.upnp",
            "UPnP is enabled (may open router ports)",
            "Disable UPnP on the device and on the router.",
        ),
        (
            "auth-telnet-enabled",
            FindingKind.EXPOSURE,
            Severity.HIGH,
            "auth.service.telnet",
            "Telnet is enabled",
            "Disable telnet; it carries passwords in clear.",
        ),
        (
            "auth-ssh-enabled",
            FindingKind.EXPOSURE,
            Severity.MEDIUM,
            "auth.service.ssh",
            "SSH is enabled",
            "Disable SSH unless the vendor's support needs it right now.",
        ),
        (
            "auth-ddns-enabled",
            FindingKind.EXPOSURE,
            Severity.LOW,
            "auth.ddns",
            "Dynamic DNS is enabled",
            "Disable the vendor DDNS unless remote access is intended and protected.",
        ),
        (
            "auth-analytics-enabled",
            FindingKind.PRIVACY,
            Severity.MEDIUM,
            "auth.analytics.",
            "Analytics that process people are enabled",
            "Face capture, ANPR, people counting and audio need a documented purpose and notice.",
        ),
    )
    found = []
    for check, kind, severity, prefix, title, fix in rules:
        hits = [e for e in _on(facts, prefix) if e.field != "auth.cloud.hik_connect.registered"]
        if hits:
            found.append(_finding(check, kind, severity, title, hits, fix))
    return found


def _inventory(facts: dict[str, Evidence]) -> list[Finding]:
    found = []
    accounts = [e for k, e in facts.items() if k == "auth.users"]
    if accounts:
        found.append(
            _finding(
                "auth-accounts",
                FindingKind.EXPOSURE,
                Severity.INFO,
                "Accounts on the device (names and roles)",
                accounts,
                "Remove accounts nobody uses; give each person their own.",
            )
        )
    push = [e for k, e in facts.items() if k == "auth.event_push"]
    if push:
        found.append(
            _finding(
                "auth-event-push",
                FindingKind.EGRESS,
                Severity.LOW,
                "Events are pushed to other hosts",
                push,
                "Check that every destination belongs to the organisation.",
            )
        )
    cameras = [e for k, e in facts.items() if k.startswith("auth.channel")]
    if cameras:
        found.append(
            _finding(
                "auth-nvr-cameras",
                FindingKind.EXPOSURE,
                Severity.INFO,
                "Cameras behind this recorder",
                cameras,
                "Add these cameras to the register and audit them too.",
            )
        )
    return found


def _summary(audit: AuthAudit, facts: dict[str, Evidence]) -> Finding:
    return Finding(
        check_id=ID,
        kind=FindingKind.EXPOSURE,
        severity=Severity.INFO,
        title=f"Authenticated read-only audit: {len(audit.observations)} read(s)",
        evidence=tuple(facts.values()),
        status="read",
        verified=True,
        details={"reads": str(len(audit.observations)), "skipped": "; ".join(audit.skipped)[:1000]},
    )


def findings(audit: AuthAudit) -> list[Finding]:
    """Turn one device's authenticated audit into findings (pure; tested on its own)."""
    if not audit.observations:
        reason = f"login {audit.login.outcome}: {audit.login.reason}; nothing was read"
        return [undetermined(ID, "Authenticated audit: no access", reason, kind=FindingKind.EXPOSURE)]
    facts = _evidence(audit)
    return [_summary(audit, facts), *_exposures(facts), *_inventory(facts)]


@dataclass(frozen=True, slots=True)
class Authenticated:
    """The `camaudit.assess.Check` of this module."""

    id: str = ID

    def enabled(self, options: AssessOptions) -> bool:
        return isinstance(options.credentials, CredentialSet)

    def applies_to(self, device: Device) -> bool:
        return (device.manufacturer or "") in PLANS

    async def run(self, device: Device, context: Context) -> Sequence[Finding]:
        creds = context.options.credentials
        assert isinstance(creds, CredentialSet)
        entry = creds.for_device(device)
        if entry is None:
            return []
        if context.connector is None:
            return [undetermined(ID, "Authenticated audit: not run", "no connection in this audit")]
        audit = await read_device(device, context.connector, entry.username, entry.password)
        if audit is None:
            return [undetermined(ID, "Authenticated audit: not run", "no open web port")]
        return findings(audit)


CHECK = Authenticated()
