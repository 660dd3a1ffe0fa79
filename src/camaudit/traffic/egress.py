"""Where each device's data went: classified destinations and egress findings (inferred, not verified).

Input is what the passive readers aggregated (`Traffic`) and the devices `identify` made of their
observations. A destination is classified from the sourced endpoint data by, in order: a name it
was reached by (DNS answer, TLS SNI, HTTP Host), the device's first payload bytes (the Dahua
`PTCP`/`DHGET` tells), a port of the device's own family (never a bare port for another maker's
device), then the network owner. Findings carry the flows they rest on as evidence.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from camaudit.data.endpoints import EndpointTable, Match
from camaudit.data.load import load_vocabulary
from camaudit.model import Device, Evidence, Finding, FindingKind, Severity
from camaudit.sources.passive.summary import Destination, Network, Traffic
from camaudit.traffic.geo import Geo, Place

UPLOAD_THRESHOLD = 100 * 1024 * 1024  # bytes up to one destination; ~10 min of a 1.5 Mbit/s stream
_NON_CAMERA = frozenset({"printer", "web_server", "other"})


@dataclass(frozen=True, slots=True)
class Policy:
    """What the user declared: allowed countries (None = no rule), closed networks, upload threshold."""

    allowed_countries: frozenset[str] | None = None
    closed_networks: tuple[Network, ...] = ()
    upload_threshold: int = UPLOAD_THRESHOLD


@dataclass(frozen=True, slots=True)
class Egress:
    """One classified external destination of one device."""

    destination: Destination
    place: Place
    match: Match | None

    @property
    def vendor(self) -> bool:
        return self.match is not None and self.match.endpoint.is_vendor

    def label(self) -> str:
        names = ",".join(n for n, _ in self.destination.names[:2])
        ports = ",".join(self.destination.ports[:4])
        return f"{self.destination.remote} {ports}" + (f" ({names})" if names else "")


@dataclass(frozen=True, slots=True)
class DeviceTraffic:
    """A device with its findings, its egress list and the names it looked up."""

    device: Device
    egress: tuple[Egress, ...] = ()
    lookups: tuple[str, ...] = ()
    closed_network: str | None = None  # "violated" / "upheld" when the device is in a declared closed network
    notes: tuple[str, ...] = field(default_factory=tuple)


def is_camera(device: Device) -> bool:
    """A surveillance device type, or a known maker with no contrary type."""
    if load_vocabulary().is_camera_type(device.device_type):
        return True
    return device.device_type is None and device.manufacturer is not None


def families(device: Device) -> set[str]:
    return {x for x in (device.manufacturer, device.brand) if x}


def classify(dest: Destination, fams: set[str], place: Place, table: EndpointTable) -> Match | None:
    """Vendor matches first (by name, prefix, family port), then generic ones, then the owner."""
    found: list[Match | None] = [table.by_name(name) for name, _ in dest.names]
    for port, prefix in (*dest.prefixes, *((p, b"") for p in dest.ports)):
        transport, _, number = port.partition("/")
        found.append(table.by_flow(fams, transport, int(number), prefix))
    matches = [m for m in found if m is not None]
    vendor = [m for m in matches if m.endpoint.is_vendor]
    best = (vendor or matches)[:1]
    return best[0] if best else table.by_owner(place.owner)


def _in(ip: str, nets: Sequence[Network]) -> bool:
    addr = ipaddress.ip_address(ip)
    return any(addr in net for net in nets)


def _evidence(e: Egress, source: str, rule: str | None = None) -> Evidence:
    d = e.destination
    claims = {
        "bytes_up": str(d.bytes_up),
        "bytes_down": str(d.bytes_down),
        "country": e.place.country or "-",
        "owner": e.place.owner or "-",
    }
    if e.match:
        claims.update(endpoint=e.match.endpoint.id, matched_by=f"{e.match.by}:{e.match.value}")
    port = int(d.ports[0].partition("/")[2]) if d.ports else None
    return Evidence(
        kind="traffic.flow",
        field="egress.destination",
        value=e.label(),
        rule_id=rule,
        source=source,
        ip=d.local,
        port=port,
        claims=claims,
        confidence=0.9 if e.match else 0.5,
        inferred=True,
    )


def analyse(
    traffic: Traffic,
    devices: Iterable[Device],
    *,
    geo: Geo,
    table: EndpointTable,
    policy: Policy = Policy(),
    all_devices: bool = False,
    source: str = "pcap",
) -> list[DeviceTraffic]:
    """One DeviceTraffic per camera (or per local address with `all_devices`), sorted by address."""
    by_ip = _devices_by_ip(traffic, devices)
    dests: dict[str, list[Destination]] = {}
    for d in traffic.destinations:
        dests.setdefault(d.local, []).append(d)
    out = []
    for ip, device in sorted(by_ip.items(), key=lambda kv: _sort_key(kv[0])):
        closed = bool(policy.closed_networks) and _in(ip, policy.closed_networks)
        if not (all_devices or closed or is_camera(device)):
            continue
        egress = tuple(
            Egress(d, geo.lookup(d.remote), classify(d, families(device), geo.lookup(d.remote), table))
            for d in dests.get(ip, [])
        )
        lookups = traffic.lookups.get(ip, ())
        out.append(_judge(device, egress, lookups, closed, policy, table, source))
    return out


def _sort_key(ip: str) -> tuple[int, int]:
    addr = ipaddress.ip_address(ip)
    return (addr.version, int(addr))


def _devices_by_ip(traffic: Traffic, devices: Iterable[Device]) -> dict[str, Device]:
    by_ip: dict[str, Device] = {}
    for device in devices:
        for ip in device.ips:
            by_ip.setdefault(ip, device)
    for ip in traffic.local_addresses:
        by_ip.setdefault(ip, Device(ips=(ip,), mac=traffic.macs.get(ip)))
    return by_ip


def _judge(
    device: Device,
    egress: tuple[Egress, ...],
    lookups: Sequence[str],
    closed: bool,
    policy: Policy,
    table: EndpointTable,
    source: str,
) -> DeviceTraffic:
    findings = [*_vendor_findings(egress, source), *_vendor_dns(egress, lookups, table, device.ip)]
    findings += _country_findings(egress, policy, source)
    findings += _upload_findings(egress, policy, source)
    status = None
    if closed:
        status = "violated" if egress else "upheld"
        findings.append(_closed_finding(egress, status, source, device.ip, lookups))
    merged = replace(device, findings=(*device.findings, *findings))
    return DeviceTraffic(merged, egress, tuple(lookups), status)


def _vendor_findings(egress: Sequence[Egress], source: str) -> list[Finding]:
    groups: dict[str, list[Egress]] = {}
    for e in egress:
        if e.vendor and e.match:
            groups.setdefault(e.match.endpoint.id, []).append(e)
    out = []
    for ep_id, items in sorted(groups.items()):
        ep = items[0].match.endpoint  # type: ignore[union-attr]
        up = sum(e.destination.bytes_up for e in items)
        down = sum(e.destination.bytes_down for e in items)
        out.append(
            Finding(
                check_id=f"egress-vendor-cloud-{ep_id}",
                kind=FindingKind.EGRESS,
                severity=Severity.HIGH,
                title=f"Camera sends data to the vendor cloud: {ep.name} ({up} bytes up, {down} down)",
                evidence=tuple(_evidence(e, source, ep_id) for e in items),
                remediation="Disable the cloud/P2P service on the device and block these destinations at the "
                "firewall unless the service is required and approved.",
                references=(ep.source,),
                verified=False,
                status="observed",
                details={
                    "endpoint": ep_id,
                    "category": ep.category,
                    "operator": ep.operator or "-",
                    "operator_country": ep.owner_country or "-",
                    "bytes_up": str(up),
                    "bytes_down": str(down),
                    "destinations": str(len(items)),
                },
            )
        )
    return out


def _vendor_dns(
    egress: Sequence[Egress], lookups: Sequence[str], table: EndpointTable, ip: str
) -> list[Finding]:
    contacted = {e.match.endpoint.id for e in egress if e.match}
    hits = [(name, m) for name in lookups if (m := table.by_name(name)) and m.endpoint.is_vendor]
    quiet = [(name, m) for name, m in hits if m.endpoint.id not in contacted]
    if not quiet:
        return []
    evidence = tuple(
        Evidence(
            kind="traffic.dns",
            field="dns.query",
            value=name,
            rule_id=m.endpoint.id,
            source="dns",
            ip=ip,
            claims={"endpoint": m.endpoint.id},
            confidence=0.9,
            inferred=True,
        )
        for name, m in quiet
    )
    names = ", ".join(sorted({n for n, _ in quiet}))
    return [
        Finding(
            check_id="egress-vendor-dns",
            kind=FindingKind.EGRESS,
            severity=Severity.MEDIUM,
            title=f"Camera looks up vendor cloud names without a data flow seen: {names}",
            evidence=evidence,
            remediation="The cloud client is enabled: disable it on the device (a blocked "
            "firewall can hide flows, not intent).",
            references=tuple(sorted({m.endpoint.source for _, m in quiet})),
            verified=False,
            status="observed",
            details={"names": names},
        )
    ]


def _country_findings(egress: Sequence[Egress], policy: Policy, source: str) -> list[Finding]:
    if policy.allowed_countries is None:
        return []
    by_country: dict[str, list[Egress]] = {}
    for e in egress:
        if e.place.country not in policy.allowed_countries:
            by_country.setdefault(e.place.country or "unknown", []).append(e)
    allowed = ",".join(sorted(policy.allowed_countries))
    return [
        Finding(
            check_id="egress-country-not-allowed" if cc != "unknown" else "egress-country-unknown",
            kind=FindingKind.EGRESS,
            severity=Severity.HIGH if cc != "unknown" else Severity.LOW,
            title=(
                f"Camera sends data to {cc}, outside the allowed countries ({allowed})"
                if cc != "unknown"
                else "Camera sends data to addresses with no country in the offline GeoIP data"
            ),
            evidence=tuple(_evidence(e, source) for e in items),
            remediation="Block or reroute these destinations, or record why they are acceptable.",
            verified=False,
            status="violates" if cc != "unknown" else "undetermined",
            details={
                "country": cc,
                "allowed": allowed,
                "bytes_up": str(sum(e.destination.bytes_up for e in items)),
            },
        )
        for cc, items in sorted(by_country.items())
    ]


def _upload_findings(egress: Sequence[Egress], policy: Policy, source: str) -> list[Finding]:
    big = [e for e in egress if e.destination.bytes_up >= policy.upload_threshold]
    return [
        Finding(
            check_id="egress-large-upload",
            kind=FindingKind.EGRESS,
            severity=Severity.HIGH,
            title=f"Large upstream volume to {e.label()}: {e.destination.bytes_up} B (possible video upload)",
            evidence=(_evidence(e, source),),
            remediation="Find out what is uploaded and whether it is approved.",
            verified=False,
            status="observed",
            details={"bytes_up": str(e.destination.bytes_up), "threshold": str(policy.upload_threshold)},
        )
        for e in big
    ]


def _closed_finding(
    egress: Sequence[Egress], status: str, source: str, ip: str, lookups: Sequence[str]
) -> Finding:
    # Lookups through a local resolver are not contact, but they show what the device would reach.
    looked_up = ", ".join(lookups[:10])
    if status == "upheld":
        return Finding(
            check_id="egress-closed-network",
            kind=FindingKind.POLICY,
            severity=Severity.INFO,
            title="Closed-network claim upheld: no external contact seen in this traffic",
            evidence=(
                Evidence(
                    kind="traffic.summary",
                    field="egress.destinations",
                    value="0",
                    source=source,
                    ip=ip,
                    inferred=True,
                ),
            ),
            remediation="Keep capturing: absence in one capture is not proof over time.",
            verified=False,
            status="upheld",
            details={"destinations": "0", "lookups": looked_up or "-"},
        )
    return Finding(
        check_id="egress-closed-network",
        kind=FindingKind.EGRESS,
        severity=Severity.CRITICAL,
        title=(
            "Camera reaches the internet although its network is declared closed "
            f"({len(egress)} destinations)"
        ),
        evidence=tuple(_evidence(e, source) for e in egress),
        remediation="The network is not closed: find the route out (gateway, NAT, proxy) and remove it.",
        verified=False,
        status="violates",
        details={
            "destinations": str(len(egress)),
            "lookups": looked_up or "-",
            "bytes_up": str(sum(e.destination.bytes_up for e in egress)),
        },
    )
