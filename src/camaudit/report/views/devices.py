"""The device as people and files see it: the JSON of `camaudit scan`, and its reading back.

This is a view, not the register's format: confidence is rounded, the evidence names its observation
kind, and what people do not need (where each piece of evidence was seen) is left out. The lossless form
of a device is `camaudit.model.to_dict`. `device_from_json` reads this shape back, for `camaudit policy
--from-json`, as faithfully as the shape allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from camaudit.model import Audit, Device, Evidence, Finding, ProbeAttempt, from_dict, to_dict

SCAN_SCHEMA = "camaudit.scan/1"


class Scan(Protocol):
    """What `scan_json` shows of a scan (`pipeline.scan.ScanResult` is one)."""

    @property
    def audit(self) -> Audit: ...
    @property
    def devices(self) -> Sequence[Device]: ...
    @property
    def attempts(self) -> Sequence[ProbeAttempt]: ...
    @property
    def seen_out_of_scope(self) -> Sequence[str]: ...
    @property
    def complete(self) -> bool: ...
    @property
    def hosts_done(self) -> int: ...


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


def evidence_from_json(data: Mapping[str, Any]) -> Evidence:
    return Evidence(
        kind=str(data.get("observation_kind", "")),
        field=str(data.get("field", "")),
        value=str(data.get("value", "")),
        rule_id=data.get("rule_id"),
        source=str(data.get("source", "")),
        ip=data.get("ip"),
        port=data.get("port"),
        claims={str(k): str(v) for k, v in (data.get("claims") or {}).items()},
        confidence=float(data.get("confidence") or 0.0),
        inferred=bool(data.get("inferred")),
    )


def device_json(device: Device) -> dict[str, Any]:
    """The device shape shared by `scan`, `traffic`, `policy` and the register's listings."""
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


def device_from_json(data: Any) -> Device:
    """A device from `device_json`'s shape; ValueError when it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("ips") or [data.get("ip")], list):
        raise ValueError("a device must be an object with 'ip'/'ips'")
    return Device(
        ips=tuple(str(ip) for ip in (data.get("ips") or [data["ip"]])),
        mac=data.get("mac"),
        ports=tuple(int(p) for p in data.get("ports", [])),
        brand=data.get("brand"),
        manufacturer=data.get("manufacturer"),
        model=data.get("model"),
        firmware=data.get("firmware"),
        serial=data.get("serial"),
        device_type=data.get("device_type"),
        confidence=float(data.get("confidence") or 0.0),
        evidence=tuple(evidence_from_json(e) for e in data.get("evidence", [])),
        conflicts=tuple(str(c) for c in data.get("conflicts", [])),
        findings=tuple(from_dict(Finding, f) for f in data.get("findings", [])),
        firmware_inferred=bool(data.get("firmware_inferred")),
    )


def scan_json(result: Scan) -> dict[str, Any]:
    """`camaudit scan --json`: the audit, its devices, the failed attempts, what answered out of scope.

    A stopped scan is written too, with ``complete`` false and the hosts it finished.
    """
    return {
        "schema": SCAN_SCHEMA,
        "complete": result.complete,
        "hosts_done": result.hosts_done,
        "hosts_in_scope": len(result.audit.scope),
        "audit": to_dict(result.audit),
        "devices": [device_json(d) for d in result.devices],
        "attempts": [to_dict(a) for a in result.attempts],
        "seen_out_of_scope": list(result.seen_out_of_scope),
    }
