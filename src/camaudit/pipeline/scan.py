"""The active audit: sources → identify → assess → store, host by host.

The engine never prints: callers watch progress through `on_host`. Its output shapes (`camaudit scan
--json`) are `camaudit.report.views.devices`'s.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from camaudit.assess.checks.default_credentials import attempts_of
from camaudit.assess.framework import AssessOptions, Context
from camaudit.assess.runner import assess
from camaudit.identify import identify
from camaudit.model import (
    Audit,
    Device,
    LoginAttempt,
    Observation,
    ProbeAttempt,
    ProbeStatus,
    Transport,
    utcnow,
)
from camaudit.net.connector import Connector
from camaudit.net.limits import Limits
from camaudit.pipeline.central import Reporter
from camaudit.scope import Scope
from camaudit.sources.active import HostResult, observe
from camaudit.sources.multicast import connected_networks, on_local_segment
from camaudit.store import Reader, Register, RegisterError
from camaudit.values import firmware_build
from camaudit.version import __version__

# Reachability probes whose silence is the normal answer of a closed port or a non-Hikvision host:
# recording those would bury the attempts that matter (a device that timed out mid-reply).
_SWEEP_PROBES = frozenset({"tcp", "sadp", "dhip", "dvrip_legacy", "wsdiscovery", "neighbour"})
_SILENCE = frozenset({ProbeStatus.REFUSED, ProbeStatus.TIMEOUT, ProbeStatus.UNREACHABLE, ProbeStatus.SKIPPED})
HostCallback = Callable[[HostResult, Sequence[Device]], None]
LOGIN_MEMORY = timedelta(days=30)  # logins read back from the register; each vendor forgets sooner
# Reports of the firmware besides the one identification keeps; they may carry the build date it lacks
# (devices.md §1-§3: Dahua's DHIP version has none, its ONVIF FirmwareVersion has one).
FIRMWARE_REPORTS = ("onvif.FirmwareVersion", "sadp.SoftwareVersion", "dhip.Version", "dvrip.legacy.version")


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What one scan produced.

    Attributes:
        audit: the audit record (scope, options, times).
        devices: one per identified host, sorted by address.
        attempts: every probe attempt that did not succeed (failures are data).
        observations: everything seen, for the register and for re-identification.
        seen_out_of_scope: addresses that answered discovery but were not probed.
    """

    audit: Audit
    devices: tuple[Device, ...]
    attempts: tuple[ProbeAttempt, ...] = ()
    observations: tuple[Observation, ...] = ()
    seen_out_of_scope: tuple[str, ...] = field(default_factory=tuple)


def identified(observations: Iterable[Observation]) -> list[Device]:
    """`identify`'s devices, each with its firmware's build date from any report of the same version."""
    seen = list(observations)
    reports: dict[str, list[str]] = {}
    for obs in seen:
        reports.setdefault(obs.ip, []).extend(obs.fields[k] for k in FIRMWARE_REPORTS if k in obs.fields)
    devices = identify(seen)
    return [replace(d, firmware_build=firmware_build(d.firmware, _of(d, reports))) for d in devices]


def _of(device: Device, by_ip: Mapping[str, Sequence[str]]) -> list[str]:
    return [item for ip in device.ips for item in by_ip.get(ip, ())]


def reportable(attempt: ProbeAttempt) -> bool:
    """A failure worth recording: not a closed port or a host that does not speak a discovery protocol."""
    if attempt.status == ProbeStatus.OK:
        return False
    return not (attempt.probe in _SWEEP_PROBES and attempt.status in _SILENCE)


def with_silent_hosts(devices: list[Device], attempts: Sequence[ProbeAttempt]) -> list[Device]:
    """Hosts that only sent garbage (malformed, oversized) are still devices: report what we know."""
    known = {ip for d in devices for ip in d.ips}
    silent = sorted({a.ip for a in attempts} - known)
    return devices + [Device(ips=(ip,)) for ip in silent]


def new_audit(scope: Sequence[str], options: Mapping[str, Any]) -> Audit:
    """A fresh audit record of any kind: what it covers (addresses, or the files read) and its options."""
    return Audit(
        id=uuid.uuid4().hex, started=utcnow(), scope=tuple(scope), options=options, version=__version__
    )


def _sorted_devices(devices: Iterable[Device]) -> tuple[Device, ...]:
    from ipaddress import ip_address

    return tuple(sorted(devices, key=lambda d: (ip_address(d.ip).version, int(ip_address(d.ip)))))


async def run_scan(
    scope: Scope,
    limits: Limits,
    *,
    multicast: bool | None = None,
    options: dict[str, Any] | None = None,
    on_host: HostCallback | None = None,
    port_map: Mapping[tuple[int, Transport], int] | None = None,
    register: Register | None = None,
    assessment: AssessOptions | None = None,
    reporter: Reporter | None = None,
) -> ScanResult:
    """Probe every address in scope, identify each host as it completes, return the audit.

    Multicast discovery, unless `multicast` says otherwise, is on when a target is on a directly
    connected network (`default_multicast`).

    With a `register`, the audit is recorded as it runs: each host in its own transaction as it completes
    (a killed audit keeps every finished host, and `resume_scan` finishes it), then the final devices, with
    the findings of the `assessment` when one is given (assessed before the audit is marked finished).
    A `reporter` sends the same to a central register as it goes (`pipeline.central`).
    """
    if multicast is None:
        multicast = default_multicast(scope)
    public = assessment.public() if assessment is not None else {}
    targets = {"targets": list(scope.specs), "allow_public": scope.allow_public}
    settings = {**limits_options(limits), "multicast": multicast, **(options or {}), **public, **targets}
    audit = new_audit(scope.addresses, settings)
    if register is not None:
        await register.arun(register.begin_audit, audit)
    checks = (scope, assessment) if assessment is not None else None
    if reporter is not None:
        reporter.begin(audit)
        on_host = _reporting(audit.id, reporter, on_host)
    result = await _scan_into(audit, scope, limits, multicast, on_host, port_map, register, ((), ()), checks)
    if reporter is not None:
        reporter.finish(result.audit, result.devices)
    return result


def _reporting(audit_id: str, reporter: Reporter, then: HostCallback | None) -> HostCallback:
    """Each host to the central register as it completes, exactly as the local register records it."""

    def on_host(host: HostResult, found: Sequence[Device]) -> None:
        failed = [a for a in host.attempts if reportable(a)]
        reporter.host(audit_id, host.ip, host.observations, failed, with_silent_hosts(list(found), failed))
        if then is not None:
            then(host, found)

    return on_host


async def resume_scan(
    register: Register,
    reader: Reader,
    audit_id: str,
    *,
    on_host: HostCallback | None = None,
    port_map: Mapping[tuple[int, Transport], int] | None = None,
    limits: Limits | None = None,
) -> ScanResult:
    """Finish an audit that was stopped: probe only the hosts it has not recorded, then close it.

    `limits` replaces the recorded rate and concurrency (a slow audit may be finished faster).
    The assessment runs again on every device with the options the audit recorded; credentials are never
    recorded, so authenticated checks do not run on a resumed audit.
    """
    record = reader.audit(audit_id)
    if record.complete:
        raise RegisterError(f"audit {record.id} is already finished")
    done = reader.recorded_hosts(record.id)
    options = dict(record.options)
    remaining = tuple(ip for ip in record.scope if ip not in done)
    scope = Scope(remaining, allow_public=bool(options.get("allow_public")))
    limits = limits or Limits(**{k: options[k] for k in Limits.__dataclass_fields__ if k in options})
    audit = Audit(record.id, record.started, record.scope, options, record.version)
    prior = (tuple(reader.observations(record.id)), tuple(reader.attempts(record.id)))
    multicast = bool(options.get("multicast"))
    whole = Scope(record.scope, allow_public=bool(options.get("allow_public")))
    checks = (whole, AssessOptions(verify=bool(options["verify"]))) if "verify" in options else None
    return await _scan_into(audit, scope, limits, multicast, on_host, port_map, register, prior, checks)


async def _scan_into(
    audit: Audit,
    scope: Scope,
    limits: Limits,
    multicast: bool,
    on_host: HostCallback | None,
    port_map: Mapping[tuple[int, Transport], int] | None,
    register: Register | None,
    prior: tuple[Sequence[Observation], Sequence[ProbeAttempt]] = ((), ()),
    assess_with: tuple[Scope, AssessOptions] | None = None,
) -> ScanResult:
    observations: list[Observation] = list(prior[0])
    attempts: list[ProbeAttempt] = list(prior[1])
    out_of_scope: set[str] = set()
    async for host in observe(scope, limits, multicast=multicast, port_map=port_map):
        if host.seen_out_of_scope:  # heard on multicast, never probed: recorded, not audited
            out_of_scope.add(host.ip)
            continue
        observations.extend(host.observations)
        failed = [a for a in host.attempts if reportable(a)]
        attempts.extend(failed)
        found = identified(host.observations) if host.observations else []
        if register is not None:
            seen = with_silent_hosts(found, failed)
            await register.arun(register.record_host, audit.id, host.ip, host.observations, failed, seen)
        if on_host is not None:
            on_host(host, found)
    devices = _sorted_devices(with_silent_hosts(identified(observations), attempts))
    finished = Audit(**{**_audit_fields(audit), "finished": utcnow()})
    result = ScanResult(finished, devices, tuple(attempts), tuple(observations), tuple(sorted(out_of_scope)))
    if assess_with is not None:
        result = await _assess_remembering(result, assess_with, limits, register, port_map)
    if register is not None:
        await register.arun(register.finish_audit, audit.id, result.devices, finished.finished)
    return result


async def _assess_remembering(
    result: ScanResult,
    assess_with: tuple[Scope, AssessOptions],
    limits: Limits,
    register: Register | None,
    port_map: Mapping[tuple[int, Transport], int] | None,
) -> ScanResult:
    """Assess with the logins earlier audits made (a lockout counter outlives one audit), then record
    this audit's logins before anything else can fail (issue 13)."""
    earlier: Sequence[LoginAttempt] = ()
    if register is not None and assess_with[1].check_default_credentials:
        since = utcnow() - LOGIN_MEMORY
        earlier = await register.arun(register.login_attempts, [d.key for d in result.devices], since)
    scope, options = assess_with
    result = await assess_scan(result, scope, limits, options, port_map=port_map, logins=earlier)
    made = [a for d in result.devices for a in attempts_of(d)]
    if register is not None and made:
        await register.arun(register.record_logins, result.audit.id, made)
    return result


def _audit_fields(audit: Audit) -> dict[str, Any]:
    return {name: getattr(audit, name) for name in Audit.__dataclass_fields__}


async def assess_scan(
    result: ScanResult,
    scope: Scope,
    limits: Limits,
    assessment: AssessOptions | None = None,
    *,
    port_map: Mapping[tuple[int, Transport], int] | None = None,
    logins: Sequence[LoginAttempt] = (),
) -> ScanResult:
    """Run every registered check on a finished scan's devices; findings are attached to the devices.

    Active checks reach devices only through a Connector bound to the same scope and limits as the scan
    (read-only requests; verifications gated by identification, see `camaudit.assess`).
    """
    options = assessment or AssessOptions()
    connector = Connector(limits, scope=scope, port_map=port_map)
    context = Context(result.observations, options, connector, tuple(logins))
    devices = await assess(result.devices, context)
    audit = Audit(**{**_audit_fields(result.audit), "options": {**result.audit.options, **options.public()}})
    return ScanResult(audit, devices, result.attempts, result.observations, result.seen_out_of_scope)


def default_multicast(scope: Scope) -> bool:
    """Multicast (TTL 1) reaches only directly connected networks: worth sending when a target is on one.

    Decided from the routing table; nothing is sent to decide it.
    """
    return on_local_segment(scope.addresses, connected_networks())


def limits_options(limits: Limits) -> dict[str, Any]:
    return {name: getattr(limits, name) for name in Limits.__dataclass_fields__}


def scan(
    targets: Sequence[str],
    *,
    exclude: Sequence[str] = (),
    allow_public: bool = False,
    limits: Limits | None = None,
    multicast: bool | None = None,
    assessment: AssessOptions | None = None,
    register: Register | None = None,
) -> ScanResult:
    """Python API, the same audit as `camaudit scan`: discover, identify, assess (CVE, exposure and safe
    read-only verification by default; credentials only when `assessment` carries them), and record the
    audit when a `register` is given. Devices come back with their evidence and findings."""
    scope = Scope.parse(targets, exclude=exclude, allow_public=allow_public)
    checks = assessment if assessment is not None else AssessOptions()
    return asyncio.run(
        run_scan(scope, limits or Limits(), multicast=multicast, assessment=checks, register=register)
    )
