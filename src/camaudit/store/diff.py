"""What changed between two audits: new, gone and changed devices, new and resolved findings.

Devices are matched by register key (MAC where known, else serial, else address), so a camera that moved
address is "changed", not "gone" plus "new".

A device the later audit did not look at has not been fixed or removed: when the later audit covered
a narrower scope, an earlier device at an address outside it is "not re-audited", and its findings are
neither resolved nor gone. Only a device inside the later scope that no longer answered is "gone"; a
finding is "resolved" only on a device the later audit saw again.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from camaudit.store.records import DeviceRecord

# Scanner fields compared between two sightings of one device (people's fields are not audit results).
COMPARED = ("ip", "mac", "brand", "manufacturer", "model", "firmware", "device_type", "serial", "ports")


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class DeviceChange:
    record: DeviceRecord
    changes: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class FindingChange:
    record: DeviceRecord
    check_id: str
    title: str
    severity: str


@dataclass(frozen=True, slots=True)
class AuditDiff:
    before: str
    after: str
    new: tuple[DeviceRecord, ...]
    gone: tuple[DeviceRecord, ...]
    changed: tuple[DeviceChange, ...]
    new_findings: tuple[FindingChange, ...]
    resolved_findings: tuple[FindingChange, ...]
    not_reaudited: tuple[DeviceRecord, ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing changed among the devices the later audit looked at."""
        return not (self.new or self.gone or self.changed or self.new_findings or self.resolved_findings)


def _value(record: DeviceRecord, name: str) -> str:
    value = getattr(record.device, name)
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


def _changes(a: DeviceRecord, b: DeviceRecord) -> tuple[Change, ...]:
    pairs = ((name, _value(a, name), _value(b, name)) for name in COMPARED)
    return tuple(Change(name, x, y) for name, x, y in pairs if x != y)


def _findings(records: dict[str, DeviceRecord]) -> dict[tuple[str, str], FindingChange]:
    return {
        (key, f.check_id): FindingChange(r, f.check_id, f.title, f.severity.value)
        for key, r in records.items()
        for f in r.device.findings
    }


def diff(
    before_id: str,
    before: list[DeviceRecord],
    after_id: str,
    after: list[DeviceRecord],
    after_scope: Collection[str] | None = None,
) -> AuditDiff:
    """Compare the devices of two audits (as `Reader.devices` returns them).

    `after_scope` is the later audit's scope (its addresses); None means it covered everything the
    earlier one did.
    """
    a = {r.key: r for r in before}
    b = {r.key: r for r in after}
    covered = set(after_scope) if after_scope is not None else None
    missing = [k for k in a if k not in b]
    looked_at = [k for k in missing if covered is None or any(ip in covered for ip in a[k].device.ips)]
    changed = tuple(DeviceChange(b[k], c) for k in b if k in a and (c := _changes(a[k], b[k])))
    fa, fb = _findings(a), _findings(b)
    return AuditDiff(
        before=before_id,
        after=after_id,
        new=tuple(b[k] for k in b if k not in a),
        gone=tuple(a[k] for k in looked_at),
        changed=changed,
        new_findings=tuple(fb[k] for k in fb if k not in fa),
        resolved_findings=tuple(fa[k] for k in fa if k not in fb and k[0] in b),
        not_reaudited=tuple(a[k] for k in missing if k not in looked_at),
    )
