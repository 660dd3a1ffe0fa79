"""What policy is given, read from the register or from a `camaudit scan --json` file.

The register gives the latest finished audit's devices, every device it knows as last seen (so a device
gone from the latest audit is still judged as it was), people's fields and progress per audit; a scan
file gives its devices only. Shared by the report, `camaudit policy`, `camaudit plan` and the demo.
"""

from __future__ import annotations

import json
from pathlib import Path

from camaudit.errors import InputError
from camaudit.files import read_capped
from camaudit.policy.inputs import Inputs
from camaudit.policy.obligations import Context
from camaudit.policy.plan import AuditSeen, Tracked
from camaudit.report.views.devices import device_from_json
from camaudit.store import DeviceRecord, Reader
from camaudit.store.records import ESTATE, utc

MAX_JSON_BYTES = 64 * 1024 * 1024


def from_scan_json(path: str) -> Inputs:
    """Devices from `camaudit scan --json` output (bounded; a bad file is one clear error)."""
    try:
        data = json.loads(read_capped(path, MAX_JSON_BYTES))
        devices = tuple(device_from_json(d) for d in data["devices"])
    except InputError as exc:
        raise InputError(f"{path}: not a camaudit scan JSON ({exc})") from None
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
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


def from_register(db: str | Path | None) -> Inputs:
    """The latest finished audit's devices, every device the register knows, and progress per audit."""
    with Reader(db) as reader:
        latest = reader.audit()
        seen = reader.devices(latest.id)
        known = reader.register_devices()
        # a central register's progress is the estate's: one site's audit alone would look like removals
        audits = [a for a in reader.audits(ESTATE if latest.kind == ESTATE else None) if a.complete]
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


def load_inputs(db: str | Path | None, from_json: str | None) -> Inputs:
    return from_scan_json(from_json) if from_json else from_register(db)
