"""sources → identify → (assess → store) → output, for one audit.

The engine never prints: callers watch progress through `on_host`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from camaudit import __version__
from camaudit.identify import identify
from camaudit.model import (
    Audit,
    Device,
    Evidence,
    Observation,
    ProbeAttempt,
    ProbeStatus,
    Transport,
    to_dict,
    utcnow,
)
from camaudit.scope import Scope
from camaudit.sources.active import HostResult, observe
from camaudit.sources.scheduler import Limits

OUTPUT_SCHEMA = "camaudit.scan/1"
# Reachability probes whose silence is the normal answer of a closed port or a non-Hikvision host:
# recording those would bury the attempts that matter (a device that timed out mid-reply).
_SWEEP_PROBES = frozenset({"tcp", "sadp", "dhip", "dvrip_legacy", "wsdiscovery", "neighbour"})
_SILENCE = frozenset({ProbeStatus.REFUSED, ProbeStatus.TIMEOUT, ProbeStatus.UNREACHABLE, ProbeStatus.SKIPPED})
HostCallback = Callable[[HostResult, Sequence[Device]], None]


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

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": OUTPUT_SCHEMA,
            "audit": to_dict(self.audit),
            "devices": [device_json(d) for d in self.devices],
            "attempts": [to_dict(a) for a in self.attempts],
            "seen_out_of_scope": list(self.seen_out_of_scope),
        }


def evidence_json(ev: Evidence) -> dict[str, Any]:
    return {
        "observation_kind": ev.kind,
        "field": ev.field,
        "value": ev.value,
        "rule_id": ev.rule_id,
        "claims": dict(ev.claims),
        "confidence": round(ev.confidence, 3),
        "source": ev.source,
        "port": ev.port,
        "inferred": ev.inferred,
    }


def device_json(device: Device) -> dict[str, Any]:
    """The device shape shared by `scan`, `traffic` and the register exports."""
    return {
        "ip": device.ip,
        "ips": list(device.ips),
        "mac": device.mac,
        "ports": list(device.ports),
        "brand": device.brand,
        "manufacturer": device.manufacturer,
        "model": device.model,
        "firmware": device.firmware,
        "firmware_inferred": device.firmware_inferred,
        "serial": device.serial,
        "device_type": device.device_type,
        "confidence": round(device.confidence, 3),
        "conflicts": list(device.conflicts),
        "evidence": [evidence_json(e) for e in device.evidence],
        "findings": [to_dict(f) for f in device.findings],
    }


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


def new_audit(scope: Scope, options: dict[str, Any]) -> Audit:
    return Audit(
        id=uuid.uuid4().hex,
        started=utcnow(),
        scope=scope.addresses,
        options={**options, "targets": list(scope.specs)},
        version=__version__,
    )


def _sorted_devices(devices: Iterable[Device]) -> tuple[Device, ...]:
    from ipaddress import ip_address

    return tuple(sorted(devices, key=lambda d: (ip_address(d.ip).version, int(ip_address(d.ip)))))


async def run_scan(
    scope: Scope,
    limits: Limits,
    *,
    multicast: bool = False,
    options: dict[str, Any] | None = None,
    on_host: HostCallback | None = None,
    port_map: Mapping[tuple[int, Transport], int] | None = None,
) -> ScanResult:
    """Probe every address in scope, identify each host as it completes, return the audit."""
    audit = new_audit(scope, {**limits_options(limits), "multicast": multicast, **(options or {})})
    observations: list[Observation] = []
    attempts: list[ProbeAttempt] = []
    out_of_scope: set[str] = set()
    async for host in observe(scope, limits, multicast=multicast, port_map=port_map):
        if host.seen_out_of_scope:  # heard on multicast, never probed: recorded, not audited
            out_of_scope.add(host.ip)
            continue
        observations.extend(host.observations)
        attempts.extend(a for a in host.attempts if reportable(a))
        if on_host is not None:
            on_host(host, identify(host.observations) if host.observations else ())
    devices = _sorted_devices(with_silent_hosts(identify(observations), attempts))
    finished = Audit(**{**_audit_fields(audit), "finished": utcnow()})
    return ScanResult(finished, devices, tuple(attempts), tuple(observations), tuple(sorted(out_of_scope)))


def _audit_fields(audit: Audit) -> dict[str, Any]:
    return {name: getattr(audit, name) for name in Audit.__dataclass_fields__}


def limits_options(limits: Limits) -> dict[str, Any]:
    return {name: getattr(limits, name) for name in Limits.__dataclass_fields__}


def scan(
    targets: Sequence[str],
    *,
    exclude: Sequence[str] = (),
    allow_public: bool = False,
    limits: Limits | None = None,
    multicast: bool = False,
) -> ScanResult:
    """Python API: scan `targets` (nmap-style specs) and return devices with their evidence."""
    scope = Scope.parse(targets, exclude=exclude, allow_public=allow_public)
    return asyncio.run(run_scan(scope, limits or Limits(), multicast=multicast))
