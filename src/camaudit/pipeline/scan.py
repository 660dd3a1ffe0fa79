"""The active audit: sources → identify → assess → store, host by host.

The engine never prints: callers watch progress through `on_host`. Its output shapes (`camaudit scan
--json`) are `camaudit.report.views.devices`'s.
"""

from __future__ import annotations

import asyncio
import ipaddress
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from camaudit.assess.checks.default_credentials import attempts_of
from camaudit.assess.framework import AssessOptions, Context
from camaudit.assess.runner import assess
from camaudit.data.cves import load_cves
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
from camaudit.net.limits import Limits, timing
from camaudit.pipeline.central import Reporter
from camaudit.pipeline.progress import ScanProgress
from camaudit.scope import Scope
from camaudit.sources.active import HostResult, observe
from camaudit.sources.multicast import connected_networks, on_local_segment
from camaudit.sources.ports import PortSelection, parse_ports, select_probes
from camaudit.store import Reader, Register, RegisterError
from camaudit.values import firmware_build
from camaudit.version import __version__

# Reachability probes whose silence is the normal answer of a closed port or a non-Hikvision host:
# recording those would bury the attempts that matter (a device that timed out mid-reply).
_SWEEP_PROBES = frozenset({"tcp", "sadp", "dhip", "dvrip_legacy", "wsdiscovery", "neighbour"})
_SILENCE = frozenset({ProbeStatus.REFUSED, ProbeStatus.TIMEOUT, ProbeStatus.UNREACHABLE, ProbeStatus.SKIPPED})
HostCallback = Callable[[HostResult, Sequence[Device]], None]
# Recorded with an audit whose hosts were assessed as each completed: their recorded findings are final.
ASSESSED_PER_HOST = "assessed_per_host"
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
        hosts_done: addresses probed to the end (all of the scope for a complete audit).
    """

    audit: Audit
    devices: tuple[Device, ...]
    attempts: tuple[ProbeAttempt, ...] = ()
    observations: tuple[Observation, ...] = ()
    seen_out_of_scope: tuple[str, ...] = field(default_factory=tuple)
    hosts_done: int = 0

    @property
    def complete(self) -> bool:
        """False for a scan that was stopped: the audit stays open and `--resume` finishes it."""
        return self.audit.finished is not None


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
    ports: PortSelection | None = None,
    progress: ScanProgress | None = None,
    stop: asyncio.Event | None = None,
    reporter: Reporter | None = None,
) -> ScanResult:
    """Probe every address in scope, identify and assess each host as it completes, return the audit.

    Multicast discovery, unless `multicast` says otherwise, is on when a target is on a directly
    connected network (`default_multicast`). `ports` limits what is contacted (`-p`).

    With a `register`, the audit is recorded as it runs: each host in its own transaction as it completes,
    with its devices and their findings (a killed audit keeps every finished host, and `resume_scan`
    finishes it), then the final devices. With an `assessment`, each host's devices are assessed as soon
    as the host is done, through the scan's own Connector (one rate, one set of limits).

    `progress` is kept up to date for whoever shows it. When `stop` is set, no new host is started, hosts
    in flight are abandoned, and the result is partial (`complete` False; the register keeps the audit
    open for `resume_scan`).

    A `reporter` sends the same to a central register as it goes (`pipeline.central`): the audit's start,
    each host as the local register records it, and the finish of a complete audit.
    """
    if multicast is None:
        multicast = default_multicast(scope)
    public = assessment.public() if assessment is not None else {}
    targets = {"targets": list(scope.specs), "allow_public": scope.allow_public}
    chosen = {"ports": ports.spec} if ports is not None else {}
    settings = {
        **limits_options(limits),
        "multicast": multicast,
        **(options or {}),
        **public,
        **chosen,
        **targets,
        ASSESSED_PER_HOST: assessment is not None,
    }
    audit = new_audit(scope.addresses, settings)
    watch = Watch(on_host, progress or ScanProgress(), stop)
    if register is not None:
        await register.arun(register.begin_audit, audit)
        watch.progress.audit_id = audit.id
    if reporter is not None:
        reporter.begin(audit)
    run = _Run(audit, limits, multicast, port_map, register, assessment, scope, ports, reporter=reporter)
    result = await _scan_into(run, scope, watch)
    if reporter is not None and result.audit.finished is not None:
        reporter.finish(result.audit, result.devices)
    return result


async def resume_scan(
    register: Register,
    reader: Reader,
    audit_id: str,
    *,
    on_host: HostCallback | None = None,
    port_map: Mapping[tuple[int, Transport], int] | None = None,
    limits: Limits | None = None,
    progress: ScanProgress | None = None,
    stop: asyncio.Event | None = None,
) -> ScanResult:
    """Finish an audit that was stopped: probe only the hosts it has not recorded, then close it.

    `limits` replaces the recorded rate and concurrency (a slow audit may be finished faster).
    The recorded hosts keep the findings they were recorded with; devices that only the whole audit
    reveals are assessed with the options the audit recorded. Credentials are never recorded, so
    authenticated checks do not run on a resumed audit.
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
    reused = tuple(r.device for r in reader.devices(record.id)) if options.get(ASSESSED_PER_HOST) else ()
    recorded = (tuple(reader.observations(record.id)), tuple(reader.attempts(record.id)))
    prior = _Prior(*recorded, reused, len(done))
    whole = Scope(record.scope, allow_public=bool(options.get("allow_public")))
    ports = parse_ports(str(options["ports"])) if options.get("ports") else None
    run = _Run(audit, limits, bool(options.get("multicast")), port_map, register,
               recorded_assessment(options), whole, ports, prior)  # fmt: skip
    watch = Watch(on_host, progress or ScanProgress(), stop)
    watch.progress.resumed_hosts = len(done)
    watch.progress.audit_id = record.id
    return await _scan_into(run, scope, watch)


def recorded_assessment(options: Mapping[str, Any]) -> AssessOptions | None:
    """The assessment an audit recorded (never its credentials), or None when it had none."""
    if "verify" not in options:
        return None
    nets = tuple(ipaddress.ip_network(n, strict=False) for n in options.get("internet_facing", ()))
    return AssessOptions(verify=bool(options["verify"]), internet_facing=nets)


@dataclass(frozen=True, slots=True)
class _Prior:
    """What an earlier run of the same audit recorded (empty for a new audit)."""

    observations: tuple[Observation, ...] = ()
    attempts: tuple[ProbeAttempt, ...] = ()
    devices: tuple[Device, ...] = ()  # as recorded host by host, with their findings
    hosts: int = 0


@dataclass(frozen=True, slots=True)
class _Run:
    """One scan's fixed parts."""

    audit: Audit
    limits: Limits
    multicast: bool
    port_map: Mapping[tuple[int, Transport], int] | None
    register: Register | None
    assessment: AssessOptions | None
    whole: Scope  # the audit's whole scope (a resumed run probes only part of it)
    ports: PortSelection | None = None
    prior: _Prior = _Prior()
    reporter: Reporter | None = None


@dataclass(slots=True)
class Watch:
    """Who watches a scan: the per-host callback, the live progress and the stop request."""

    on_host: HostCallback | None = None
    progress: ScanProgress = field(default_factory=ScanProgress)
    stop: asyncio.Event | None = None
    # Hosts whose assessment tries logins: never abandoned halfway, so every login made is recorded
    # (a lockout counter outlives the audit) and a resumed audit does not try again unknowingly.
    logging_in: set[asyncio.Task[Any]] = field(default_factory=set)

    @property
    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()


@dataclass(frozen=True, slots=True)
class _Host:
    """One finished host: what it answered, its failures worth keeping, its devices (assessed)."""

    result: HostResult
    failed: tuple[ProbeAttempt, ...]
    devices: tuple[Device, ...]
    identified: tuple[Device, ...]  # the same devices before assessment (to match the final ones)


def warm_up() -> None:
    """Load the identification and assessment data (about a second of parsing and regex compiling).

    Run on a thread while the sweep starts: done on the event loop at the first host, it would stall
    every connection in flight.
    """
    probe = Observation(source="warm-up", ip="192.0.2.1", port=80, transport=Transport.TCP,
                        protocol="http", kind="http.response", fields={"http.header.server": "-"},
                        mac="00:00:5e:00:53:01")  # fmt: skip
    identified([probe])
    load_cves()


async def _scan_into(run: _Run, scope: Scope, watch: Watch) -> ScanResult:
    conn = Connector(run.limits, scope=run.whole, port_map=run.port_map)
    ready = asyncio.ensure_future(asyncio.to_thread(warm_up))
    watch.progress.rate = lambda: conn.gate.rate.rate
    watch.progress.stage = "discovery" if run.multicast else "hosts"
    hosts: list[_Host] = []
    writes: list[asyncio.Future[None]] = []
    tasks: list[asyncio.Task[None]] = []
    out_of_scope: set[str] = set()
    try:
        async for host in observe(scope, run.limits, multicast=run.multicast, port_map=run.port_map,
                                  conn=conn, tally=watch.progress.tally, stop=watch.stop,
                                  probes=select_probes(run.ports)):  # fmt: skip
            watch.progress.stage = "hosts"
            if host.seen_out_of_scope:  # heard on multicast, never probed: recorded, not audited
                out_of_scope.add(host.ip)
                continue
            tasks.append(asyncio.ensure_future(_finish_host(run, conn, host, watch, hosts, writes, ready)))
        await _until_done_or_stopped(tasks, watch)
        await ready
    finally:
        for task in tasks:
            if task not in watch.logging_in:
                task.cancel()  # only those still assessing: they are not counted, `--resume` redoes them
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*writes)  # a host that counts is in the register, stop or not
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]  # a bug in a check: never lost
    if watch.stopped:
        watch.progress.stage = "stopped"
        return _partial(run, hosts, out_of_scope)
    return await _finish(run, conn, hosts, out_of_scope, watch)


async def _until_done_or_stopped(tasks: Sequence[asyncio.Task[None]], watch: Watch) -> None:
    stopping = asyncio.ensure_future(watch.stop.wait()) if watch.stop is not None else None
    try:
        while not watch.stopped and (pending := [t for t in tasks if not t.done()]):
            waiting: set[asyncio.Future[Any]] = {*pending, *([stopping] if stopping else [])}
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if stopping is not None:
            stopping.cancel()


async def _finish_host(
    run: _Run,
    conn: Connector,
    host: HostResult,
    watch: Watch,
    hosts: list[_Host],
    writes: list[Any],
    ready: Awaitable[None],
) -> None:
    """Identify and assess one host, then (never cancelled from there on) count and record it."""
    await asyncio.shield(ready)  # the data is loaded once, off the event loop
    failed = tuple(a for a in host.attempts if reportable(a))
    found = tuple(with_silent_hosts(identified(host.observations) if host.observations else [], failed))
    devices = found
    if run.assessment is not None and found:
        watch.progress.assessing += len(found)
        try:
            devices = await _assess_remembering(run, found, host.observations, conn, watch)
        finally:
            watch.progress.assessing -= len(found)
    hosts.append(_Host(host, failed, devices, found))
    watch.progress.identified += sum(1 for d in devices if d.manufacturer or d.device_type)
    watch.progress.findings += sum(len(d.findings) for d in devices)
    if run.register is not None:
        record = run.register.arun(run.register.record_host, run.audit.id, host.ip, host.observations,
                                   failed, devices)  # fmt: skip
        writes.append(asyncio.ensure_future(record))
    if run.reporter is not None:
        run.reporter.host(run.audit.id, host.ip, host.observations, failed, devices)
    if watch.on_host is not None:
        watch.on_host(host, devices)


async def _assess_remembering(
    run: _Run, devices: Sequence[Device], observations: Sequence[Observation], conn: Connector, watch: Watch
) -> tuple[Device, ...]:
    """Assess with the logins earlier audits made (a lockout counter outlives one audit), then record
    the logins this assessment made before anything else can fail."""
    assert run.assessment is not None
    register, logins = run.register, run.assessment.check_default_credentials
    task = asyncio.current_task()
    if logins and task is not None:
        watch.logging_in.add(task)
    try:
        earlier: Sequence[LoginAttempt] = ()
        if register is not None and logins:
            since = utcnow() - LOGIN_MEMORY
            earlier = await register.arun(register.login_attempts, [d.key for d in devices], since)
        context = Context(tuple(observations), run.assessment, conn, tuple(earlier))
        assessed = await assess(devices, context)
        made = [a for d in assessed for a in attempts_of(d)]
        if register is not None and made:
            await register.arun(register.record_logins, run.audit.id, made)
        return assessed
    finally:
        if task is not None:
            watch.logging_in.discard(task)


def _partial(run: _Run, hosts: Sequence[_Host], out_of_scope: set[str]) -> ScanResult:
    """What a stopped scan has: every finished host (and what an earlier run recorded), not closed."""
    devices = (*run.prior.devices, *(d for h in hosts for d in h.devices))
    return ScanResult(
        run.audit,
        _sorted_devices(devices),
        (*run.prior.attempts, *(a for h in hosts for a in h.failed)),
        (*run.prior.observations, *(o for h in hosts for o in h.result.observations)),
        tuple(sorted(out_of_scope)),
        hosts_done=run.prior.hosts + len(hosts),
    )


async def _finish(
    run: _Run, conn: Connector, hosts: Sequence[_Host], out_of_scope: set[str], watch: Watch
) -> ScanResult:
    """The final devices, fused over every host; only devices no host alone showed are assessed now."""
    observations = [*run.prior.observations, *(o for h in hosts for o in h.result.observations)]
    attempts = [*run.prior.attempts, *(a for h in hosts for a in h.failed)]
    devices = _sorted_devices(with_silent_hosts(identified(observations), attempts))
    if run.assessment is not None:
        watch.progress.stage = "assessing"
        known = [*((h.identified, h.devices) for h in hosts), *_recorded_pairs(run.prior.devices)]
        devices = await _assessed(devices, known, run, observations, conn, watch)
    watch.progress.stage = "recording"
    finished = Audit(**{**_audit_fields(run.audit), "finished": utcnow()})
    if run.register is not None:
        await run.register.arun(run.register.finish_audit, run.audit.id, devices, finished.finished)
    watch.progress.stage = "done"
    hosts_done = run.prior.hosts + len(hosts)
    return ScanResult(finished, devices, tuple(attempts), tuple(observations), tuple(sorted(out_of_scope)),
                      hosts_done=hosts_done)  # fmt: skip


def _recorded_pairs(devices: Sequence[Device]) -> list[tuple[tuple[Device, ...], tuple[Device, ...]]]:
    """Devices an earlier run recorded with their findings, keyed by the device without them."""
    return [((replace(d, findings=()),), (d,)) for d in devices]


async def _assessed(
    devices: Sequence[Device],
    known: Sequence[tuple[Sequence[Device], Sequence[Device]]],
    run: _Run,
    observations: Sequence[Observation],
    conn: Connector,
    watch: Watch,
) -> tuple[Device, ...]:
    """Each device with its findings: those of the same device assessed host by host, else assessed now."""
    by_ips: dict[tuple[str, ...], list[tuple[Device, Device]]] = {}
    for before, after in known:
        for b, a in zip(before, after, strict=True):
            by_ips.setdefault(b.ips, []).append((b, a))
    done: list[Device | None] = [next((a for b, a in by_ips.get(d.ips, ()) if b == d), None) for d in devices]
    fresh = [d for d, found in zip(devices, done, strict=True) if found is None]
    assessed = iter(await _assess_remembering(run, fresh, observations, conn, watch)) if fresh else iter(())
    return tuple(found if found is not None else next(assessed) for found in done)


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
    return ScanResult(audit, devices, result.attempts, result.observations, result.seen_out_of_scope,
                      result.hosts_done)  # fmt: skip


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
        run_scan(scope, limits or timing(), multicast=multicast, assessment=checks, register=register)
    )
