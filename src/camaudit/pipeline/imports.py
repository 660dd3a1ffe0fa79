"""The import audit: scan files people already have → identify → version-based checks → the register.

Nothing is sent anywhere. Each file is read by `camaudit.sources.imports` (format from its content);
its records are spilled to a temporary SQLite file keyed by address, because scanners such as masscan
and Shodan write one record per port in no order: the observations of one address are brought back
together from the spill, address by address, and each address is identified by the same rules as a
scan, assessed by the version-based checks only (CVE ranges; no verification, no login: there is no
connection), and recorded in its own transaction. Memory stays that of one batch of addresses, whatever
the file's size; the spill is deleted at the end.

In the register the audit is of kind ``import``; its scope is every address the files cover; its
devices are keyed by MAC where the file showed one (nmap on the same segment, Nessus, runZero), else by
address, so they merge with the devices of scans and captures.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from camaudit.assess.checks import cves
from camaudit.assess.framework import AssessOptions, Context
from camaudit.assess.runner import assess
from camaudit.errors import InputError
from camaudit.model import Device, Observation, Transport, utcnow
from camaudit.pipeline.scan import identified, new_audit
from camaudit.sources.imports import ImportProblem, Record, read_file
from camaudit.sources.passive.inflate import MAX_INFLATED, MAX_RATIO, Inflate
from camaudit.store import Reader, Register

BATCH = 256  # addresses identified and assessed together (one event loop run, one spill read)
MAX_PROBLEMS_KEPT = 50  # problems kept with their text; the rest are counted
Progress = Callable[[int], None]


@dataclass(slots=True)
class ImportResult:
    """What one import produced (the devices themselves are in the register, or in `devices`).

    Attributes:
        audit_id: the recorded audit, or None when nothing was recorded.
        formats: each file and the format it was read as.
        records: records read; skipped: records refused; problems: the first problems, with file names.
        problems_dropped: problems beyond those kept.
        addresses: distinct addresses the files cover (the audit's scope).
        devices: how many devices were identified; makers: devices per true manufacturer.
        findings: findings per check id; cut: a file ended early (truncated, broken, over budget).
        kept: the devices themselves, when the caller asked to keep them (tests, small files).
    """

    audit_id: str | None = None
    formats: dict[str, str] = field(default_factory=dict)
    records: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    problems_dropped: int = 0
    addresses: int = 0
    devices: int = 0
    makers: Counter[str] = field(default_factory=Counter)
    findings: Counter[str] = field(default_factory=Counter)
    cut: bool = False
    kept: list[Device] = field(default_factory=list)

    def problem(self, path: str, item: ImportProblem) -> None:
        self.skipped += not item.fatal
        self.cut = self.cut or item.fatal
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(f"{path}: {item}")
        else:
            self.problems_dropped += 1


class Spill:
    """Observations on disk, by address: what lets records of one address meet again in constant memory."""

    def __init__(self, directory: str) -> None:
        self.db = sqlite3.connect(Path(directory) / "spill.sqlite")
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE obs (ip TEXT NOT NULL, data TEXT NOT NULL)")
        self.db.execute("CREATE TABLE hosts (ip TEXT PRIMARY KEY)")
        self._rows: list[tuple[str, str]] = []
        self._hosts: set[str] = set()

    def add(self, record: Record) -> None:
        self._hosts.add(record.ip)
        self._rows.extend((o.ip, _packed(o)) for o in record.observations)
        if len(self._rows) >= 4096 or len(self._hosts) >= 4096:
            self.flush()

    def flush(self) -> None:
        self.db.executemany("INSERT INTO obs VALUES (?, ?)", self._rows)
        self.db.executemany("INSERT OR IGNORE INTO hosts VALUES (?)", [(ip,) for ip in self._hosts])
        self._rows, self._hosts = [], set()

    def addresses(self) -> list[str]:
        self.flush()
        found = [row[0] for row in self.db.execute("SELECT ip FROM hosts")]
        return sorted(found, key=_address_order)

    def groups(self) -> Iterator[tuple[str, list[Observation]]]:
        """Each address with its observations, in file order (the sort runs on disk)."""
        self.flush()
        self.db.execute("CREATE INDEX obs_ip ON obs (ip)")
        current, items = "", list[Observation]()
        for ip, data in self.db.execute("SELECT ip, data FROM obs ORDER BY ip, rowid"):
            if ip != current and items:
                yield current, items
                items = []
            current = ip
            items.append(_unpacked(data))
        if items:
            yield current, items

    def close(self) -> None:
        self.db.close()


def _packed(obs: Observation) -> str:
    """An observation as one JSON array for the spill (the model's codec costs a type walk per call)."""
    return json.dumps(
        [
            obs.source,
            obs.ip,
            obs.port,
            obs.transport.value,
            obs.protocol,
            obs.kind,
            dict(obs.fields),
            obs.raw.hex(),
            obs.mac,
            obs.time.isoformat(),
        ]
    )


def _unpacked(data: str) -> Observation:
    source, ip, port, transport, protocol, kind, fields, raw, mac, when = json.loads(data)
    return Observation(
        source,
        ip,
        port,
        Transport(transport),
        protocol,
        kind,
        fields,
        bytes.fromhex(raw),
        mac,
        datetime.fromisoformat(when),
    )


def _address_order(text: str) -> tuple[int, int, str]:
    try:
        address = ip_address(text)
    except ValueError:
        return (9, 0, text)
    return (address.version, int(address), "")


def read_into(
    spill: Spill, paths: Sequence[str], budget: Inflate, result: ImportResult, progress: Progress | None
) -> None:
    """Every record of every file into the spill; problems into the result."""
    for path in paths:

        def heard(name: str, path: str = path) -> None:
            result.formats[path] = name

        for item in read_file(path, budget, on_format=heard):
            if isinstance(item, ImportProblem):
                result.problem(path, item)
                continue
            result.records += 1
            spill.add(item)
            if progress is not None and result.records % 1000 == 0:
                progress(result.records)


async def _assessed(devices: list[Device], observations: list[Observation]) -> tuple[Device, ...]:
    """Version-based checks only: CVE ranges matched on the identified model and firmware."""
    context = Context(tuple(observations), AssessOptions(verify=False), connector=None)
    return await assess(devices, context, checks=(cves.CHECK,))


def _batches(spill: Spill, skip: frozenset[str]) -> Iterator[list[tuple[str, list[Observation]]]]:
    batch: list[tuple[str, list[Observation]]] = []
    for group in spill.groups():
        if group[0] in skip:
            continue
        batch.append(group)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def judge(
    spill: Spill,
    register: Register | None,
    audit_id: str | None,
    result: ImportResult,
    keep: bool,
    skip: frozenset[str] = frozenset(),
) -> None:
    """Identify, assess and record every address of the spill, batch by batch (each batch one
    transaction: a kill loses at most the batch under way), skipping the addresses in `skip`."""
    for batch in _batches(spill, skip):
        found = [(ip, items, identified(items)) for ip, items in batch]
        flat = [d for _, _, devices in found for d in devices]
        assessed = iter(asyncio.run(_assessed(flat, [o for _, items in batch for o in items])))
        rows = []
        for ip, items, devices in found:
            done = [next(assessed) for _ in devices]
            _count(result, done, keep)
            rows.append((ip, items, done))
        if register is not None and audit_id is not None:
            register.record_hosts(audit_id, rows)


def _count(result: ImportResult, devices: Sequence[Device], keep: bool) -> None:
    for device in devices:
        result.devices += 1
        result.makers[device.manufacturer or "unknown"] += 1
        result.findings.update(f.check_id for f in device.findings if f.status == "affected")
        if keep:
            result.kept.append(device)


def run_import(
    paths: Sequence[str],
    register: Register | None = None,
    *,
    options: Mapping[str, Any] | None = None,
    max_inflated: int = MAX_INFLATED,
    max_inflate_ratio: float = MAX_RATIO,
    progress: Progress | None = None,
    keep_devices: bool = False,
) -> ImportResult:
    """Read, identify, assess and (with a `register`) record the files as one audit of kind ``import``.

    The engine never prints: `progress` is called with the number of records read so far.
    """
    budget = Inflate(max_bytes=max_inflated, max_ratio=max_inflate_ratio)
    return _imported(paths, register, budget, options or {}, progress, keep_devices, None)


def resume_import(
    register: Register,
    reader: Reader,
    audit_id: str,
    *,
    max_inflated: int = MAX_INFLATED,
    max_inflate_ratio: float = MAX_RATIO,
    progress: Progress | None = None,
) -> ImportResult:
    """Finish an import audit that was stopped (killed, power lost): its files are read again and only
    the addresses it has not recorded yet are identified, assessed and recorded; then it is finished.

    Every batch the stopped run committed is kept as it is. Raises InputError for an audit that is
    not an unfinished import or whose files are gone."""
    record = reader.audit(audit_id)
    if record.options.get("kind") != "import":
        raise InputError(f"audit {record.id} is not an import")
    if record.complete:
        raise InputError(f"audit {record.id} is already finished")
    paths = [str(p) for p in record.options.get("files", [])]
    missing = [p for p in paths if p != "-" and not Path(p).is_file()]
    if missing or "-" in paths:
        raise InputError(f"audit {record.id}: cannot read its files again: {', '.join(missing or ['-'])}")
    budget = Inflate(max_bytes=max_inflated, max_ratio=max_inflate_ratio)
    resumed = (record.id, frozenset(reader.recorded_hosts(record.id)))
    return _imported(paths, register, budget, {}, progress, False, resumed)


def _imported(
    paths: Sequence[str],
    register: Register | None,
    budget: Inflate,
    options: Mapping[str, Any],
    progress: Progress | None,
    keep: bool,
    resumed: tuple[str, frozenset[str]] | None,
) -> ImportResult:
    result = ImportResult()
    with tempfile.TemporaryDirectory(prefix="camaudit-import-") as directory:
        spill = Spill(directory)
        try:
            read_into(spill, paths, budget, result, progress)
            scope = spill.addresses()
            result.addresses = len(scope)
            if resumed is None:
                audit_id = _begin(register, paths, scope, result, options)
                judge(spill, register, audit_id, result, keep)
            else:
                result.audit_id = resumed[0]
                judge(spill, register, resumed[0], result, keep, resumed[1])
        finally:
            spill.close()
    if register is not None and result.audit_id is not None:
        register.finish_audit(result.audit_id, None, utcnow())
    return result


def _begin(
    register: Register | None,
    paths: Sequence[str],
    scope: Sequence[str],
    result: ImportResult,
    options: Mapping[str, Any],
) -> str | None:
    if register is None:
        return None
    settings = {
        "kind": "import",
        "files": list(paths),
        "formats": dict(result.formats),
        "records": result.records,
        "skipped": result.skipped,
        "cut": result.cut,
        **options,
    }
    audit = new_audit(scope, settings)
    register.begin_audit(audit)
    result.audit_id = audit.id
    return audit.id
