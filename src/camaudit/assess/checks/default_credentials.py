"""Opt-in check: does the device still accept its vendor's factory password?

Off unless ``--check-default-credentials``. Per identified device: at most two vendor-default pairs
(`data/credentials/defaults.yaml`), on one protocol (HTTP Digest on one fixed read-only path), one
attempt each, at least `SPACING` seconds apart. It stops at the first sign of lockout or rate limiting
(devices.md §7.3: Hikvision locks the client address after a few failures): a 401 saying
``lockStatus=lock`` or ``User locked``, a 403, a 429, a reply much slower than the device's unauthenticated
one, or the device reporting `RESERVE` or fewer attempts left — we never bring the owner closer than that
to a lockout. A login is a critical finding naming the account; the password is never written anywhere.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from camaudit.assess.authenticated import Endpoint, Login, digest_get, web_endpoint
from camaudit.assess.framework import AssessOptions, Context, undetermined
from camaudit.data.default_credentials import Family, Lockout, load_defaults
from camaudit.model import Device, Evidence, Finding, FindingKind, LoginAttempt, Severity, utcnow

ID = "default-credentials"
SPACING = 1.5  # seconds between two attempts on one device: never a burst a lockout counter sees
RESERVE = 2  # stop when the device says this many attempts or fewer remain
SLOW = 3.0  # seconds: an authenticated reply slower than this (and 4x the challenge) is throttling
# A 403 or 400 to a login attempt may be a lockout on some firmware: stop there too.
STOPS = frozenset(
    {"locked", "rate_limited", "error", "no_digest", "open", "not_found", "forbidden", "unsupported"}
)
REFERENCE = "https://www.cisa.gov/news-events/news/risks-default-passwords-internet"


def budget_text() -> str:
    """The budget printed before a scan starts (what this check may send per device)."""
    pairs = max(len(f.pairs) for f in load_defaults().values())
    return (
        f"default-credential check: at most {pairs} login attempt(s) per identified device "
        f"(vendor defaults, HTTP Digest, one path), {SPACING:g} s apart; stops at the first sign of "
        f"lockout or rate limiting"
    )


def _evidence(
    device: Device, where: Endpoint, family: Family, username: str, result: Login, sign: bool = False
) -> Evidence:
    return Evidence(
        kind="auth.login",
        field="username",
        value=username,
        source=f"check:{ID}",
        ip=device.ip,
        port=where.port,
        claims={
            "outcome": result.outcome,
            "path": family.path,
            "status": str(result.status or ""),
            "lockout_sign": "true" if sign else "false",
        },
    )


def _accepted(device: Device, where: Endpoint, family: Family, username: str, result: Login) -> Finding:
    return Finding(
        check_id=ID,
        kind=FindingKind.CREDENTIAL,
        severity=Severity.CRITICAL,
        title=f"Vendor default password accepted for account '{username}'",
        evidence=(_evidence(device, where, family, username, result),),
        remediation="Change this account's password now (and every account sharing it); then re-audit.",
        references=(REFERENCE, *(p.source for p in family.pairs if p.username == username)),
        verified=True,
        details={"account": username, "protocol": family.protocol, "path": family.path},
    )


LOCKOUT_SIGNS = frozenset({"locked", "rate_limited", "forbidden"})


def _lockout_sign(result: Login, baseline: float) -> bool:
    """Any sign that the device counts failures toward a lockout, or throttles."""
    return (
        result.outcome in LOCKOUT_SIGNS
        or (result.retries_left is not None and result.retries_left <= RESERVE)
        or (result.seconds > SLOW and result.seconds > 4 * baseline)
    )


def attempts_of(device: Device) -> list[LoginAttempt]:
    """The logins this check made to `device` (from its findings' evidence), for the register."""
    return [
        LoginAttempt(
            device_key=device.key,
            ip=e.ip or device.ip,
            at=utcnow(),
            check_id=ID,
            outcome=e.claims.get("outcome", ""),
            lockout_sign=e.claims.get("lockout_sign") == "true",
        )
        for f in device.findings
        if f.check_id == ID
        for e in f.evidence
        if e.kind == "auth.login"
    ]


def allowed_attempts(lockout: Lockout, earlier: Sequence[LoginAttempt], now: datetime) -> tuple[int, str]:
    """How many logins this audit may still make, and why not when none (issue 13).

    Failures since the last accepted login, within the vendor's memory of them, count toward its lockout
    threshold; the check stops one short of it, and not at all after a sign of lockout.
    """
    since = now - timedelta(hours=lockout.forget_after_hours)
    recent = [a for a in earlier if a.at >= since]
    oks = [i for i, a in enumerate(recent) if not a.failed]
    recent = recent[oks[-1] + 1 :] if oks else recent
    signs = [a for a in recent if a.lockout_sign]
    hours = f"{lockout.forget_after_hours:g} h"
    if signs:
        when = signs[-1].at.strftime("%Y-%m-%d %H:%M UTC")
        return 0, f"not tried: the device showed a sign of lockout at {when} (within {hours})"
    failures = sum(a.failed for a in recent)
    left = lockout.after - 1 - failures
    if left <= 0:
        return 0, (
            f"not tried: {failures} failed login(s) in the last {hours}, across audits, reach the vendor's "
            f"lockout threshold ({lockout.after}) minus one"
        )
    return left, ""


def _stop_reason(result: Login, baseline: float) -> str | None:
    if result.outcome in STOPS:
        return f"stopped: {result.outcome} ({result.reason})"
    if result.retries_left is not None and result.retries_left <= RESERVE:
        return f"stopped: the device reports {result.retries_left} login attempt(s) left"
    if result.seconds > SLOW and result.seconds > 4 * baseline:
        return f"stopped: the reply took {result.seconds:.1f} s (throttling?)"
    return None


async def _try(device: Device, where: Endpoint, family: Family, context: Context) -> Sequence[Finding]:
    assert context.connector is not None
    budget, why = allowed_attempts(family.lockout, context.logins_for(device), utcnow())
    if budget <= 0:
        return [undetermined(ID, "Default credentials: not checked", why, kind=FindingKind.CREDENTIAL)]
    evidence: list[Evidence] = []
    for i, pair in enumerate(family.pairs[:budget]):
        if i:
            await asyncio.sleep(SPACING)
        start = time.monotonic()
        result = await digest_get(context.connector, where, family.path, pair.username, pair.password)
        baseline = max(time.monotonic() - start - result.seconds, 0.001)
        if result.attempted:
            sign = _lockout_sign(result, baseline)
            evidence.append(_evidence(device, where, family, pair.username, result, sign))
        if result.outcome == "ok":
            return [_accepted(device, where, family, pair.username, result)]
        reason = _stop_reason(result, baseline)
        if reason is not None:
            return [undetermined(ID, "Default credentials: check stopped early", reason,
                                 kind=FindingKind.CREDENTIAL, evidence=tuple(evidence))]  # fmt: skip
    return [_rejected(family, evidence)]


def _rejected(family: Family, evidence: list[Evidence]) -> Finding:
    return Finding(
        check_id=ID,
        kind=FindingKind.CREDENTIAL,
        severity=Severity.INFO,
        title=f"Vendor default password(s) refused ({len(evidence)} tried)",
        evidence=tuple(evidence),
        status="not_affected",
        verified=True,
        details={"accounts_tried": ",".join(e.value for e in evidence), "path": family.path},
    )


@dataclass(frozen=True, slots=True)
class DefaultCredentials:
    """The `camaudit.assess.Check` of this module."""

    id: str = ID

    def enabled(self, options: AssessOptions) -> bool:
        return options.check_default_credentials

    def applies_to(self, device: Device) -> bool:
        return (device.manufacturer or "") in load_defaults()

    async def run(self, device: Device, context: Context) -> Sequence[Finding]:
        family = load_defaults()[device.manufacturer or ""]
        where = web_endpoint(device)
        if context.connector is None or where is None:
            why = "no connection in this audit" if context.connector is None else "no open web port"
            return [undetermined(ID, "Default credentials: not checked", why, kind=FindingKind.CREDENTIAL)]
        return await _try(device, where, family, context)


CHECK = DefaultCredentials()
