"""What policy evaluation reads: devices with their register context, or a scan JSON; and which packs.

Shared by `camaudit policy`, `camaudit plan` and the report's compliance section, so the three always
judge the same devices against the same packs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camaudit.assess.obligations import Context
from camaudit.assess.plan import AuditSeen, Tracked
from camaudit.config import Config, load_config
from camaudit.data.policies import Pack, builtin_packs, select_packs
from camaudit.errors import InputError
from camaudit.model import Device, Finding, Observation, from_dict
from camaudit.store import DeviceRecord, Reader
from camaudit.store.records import evidence_from, utc

MAX_JSON_BYTES = 64 * 1024 * 1024
DEFAULT_CONFIG = Path("camaudit.toml")


@dataclass(frozen=True, slots=True)
class Inputs:
    """Devices to judge plus what the register knows about them."""

    devices: tuple[Device, ...]
    contexts: dict[str, Context]
    tracked: tuple[Tracked, ...] = ()
    history: tuple[AuditSeen, ...] = ()
    observations: tuple[Observation, ...] = ()  # authenticated reads (capabilities) of the latest audit
    audit_id: str | None = None


# --- sources --------------------------------------------------------------------------------


def _device(data: Any) -> Device:
    if not isinstance(data, dict) or not isinstance(data.get("ips") or [data.get("ip")], list):
        raise ValueError("a device must be an object with 'ip'/'ips'")
    ips = tuple(str(ip) for ip in (data.get("ips") or [data["ip"]]))
    return Device(
        ips=ips,
        mac=data.get("mac"),
        ports=tuple(int(p) for p in data.get("ports", [])),
        brand=data.get("brand"),
        manufacturer=data.get("manufacturer"),
        model=data.get("model"),
        firmware=data.get("firmware"),
        serial=data.get("serial"),
        device_type=data.get("device_type"),
        confidence=float(data.get("confidence") or 0.0),
        evidence=tuple(evidence_from(e) for e in data.get("evidence", [])),
        conflicts=tuple(str(c) for c in data.get("conflicts", [])),
        findings=tuple(from_dict(Finding, f) for f in data.get("findings", [])),
        firmware_inferred=bool(data.get("firmware_inferred")),
    )


def from_scan_json(path: str) -> Inputs:
    """Devices from `camaudit scan --json` output (bounded; a bad file is one clear error)."""
    try:
        raw = Path(path).read_bytes()[: MAX_JSON_BYTES + 1]
        if len(raw) > MAX_JSON_BYTES:
            raise ValueError(f"larger than {MAX_JSON_BYTES} bytes")
        data = json.loads(raw)
        devices = tuple(_device(d) for d in data["devices"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a camaudit scan JSON ({exc})") from None
    return Inputs(devices, {}, tuple(Tracked(d) for d in devices))


def _context(record: DeviceRecord) -> Context:
    return Context(site=record.user.site, first_seen=utc(record.first_seen), acquired=record.user.acquired)


def _tracked(record: DeviceRecord, present: bool) -> Tracked:
    user = record.user
    return Tracked(
        device=record.device,
        status=user.status.value,
        due=user.due,
        site=user.site,
        first_seen=utc(record.first_seen),
        last_seen=utc(record.last_seen),
        present=present,
    )


def from_register(db: str | None) -> Inputs:
    """The latest finished audit's devices, every device the register knows, and progress per audit."""
    with Reader(db) as reader:
        latest = reader.audit()
        seen = reader.devices(latest.id)
        known = reader.register_devices()
        audits = [a for a in reader.audits() if a.complete]
        keys_by_audit = {a.id: {r.key for r in reader.devices(a.id)} for a in audits}
        reads = tuple(o for o in reader.observations(latest.id) if o.kind == "auth.read")
    latest_keys = keys_by_audit[latest.id]
    # Judge what each device was when last seen; a device gone from the latest audit keeps that view.
    by_key = {r.key: r for r in known if r.audit_id is not None}
    by_key.update({r.key: r for r in seen})
    devices = tuple(r.device for r in by_key.values())
    contexts = {r.device.key: _context(r) for r in by_key.values()}
    tracked = tuple(_tracked(r, r.key in latest_keys) for r in by_key.values())
    history = tuple(AuditSeen(a.id, a.started, frozenset(keys_by_audit[a.id])) for a in audits)
    return Inputs(devices, contexts, tracked, history, reads, latest.id)


def load_inputs(db: str | None, from_json: str | None) -> Inputs:
    return from_scan_json(from_json) if from_json else from_register(db)


def load_context(
    config_path: str | None, pack_ids: Sequence[str], pack_files: Sequence[str]
) -> tuple[Config, tuple[Pack, ...]]:
    """The organisation's config and the packs to apply (command line, else config, else all shipped)."""
    if config_path:
        config = load_config(config_path)
    elif DEFAULT_CONFIG.is_file():
        config = load_config(DEFAULT_CONFIG)
    else:
        config = Config()
    ids = list(pack_ids) or list(config.packs) or sorted(builtin_packs())
    files: list[str | Path] = [*config.pack_files, *pack_files]
    return config, select_packs(ids, files)
