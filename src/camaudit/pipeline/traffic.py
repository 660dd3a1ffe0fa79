"""The passive audit: captures and logs already recorded → identify → egress analysis → the register.

Nothing is sent anywhere: the files (pcap/pcapng, Zeek logs, flow CSV) are read, devices are identified
with the same rules as an active scan, and each external destination is classified. In the register a
traffic audit is of kind ``traffic``; its devices are keyed by MAC where the capture saw one, so they
merge with those of active scans.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camaudit.data.endpoints import load_endpoints
from camaudit.model import Observation
from camaudit.pipeline.scan import identified, new_audit
from camaudit.sources.passive.files import read_traffic
from camaudit.sources.passive.inflate import MAX_INFLATED, MAX_RATIO, Inflate
from camaudit.sources.passive.summary import Locality, Traffic, neighbour_observations
from camaudit.store import Register
from camaudit.traffic.egress import DeviceTraffic, Policy, analyse
from camaudit.traffic.geo import BundledGeo


@dataclass(frozen=True, slots=True)
class TrafficResult:
    """What one passive audit produced.

    Attributes:
        devices: each device with its classified destinations and egress findings.
        traffic: what the readers aggregated (counts, warnings, observations).
        kinds: the format each file was read as.
    """

    devices: tuple[DeviceTraffic, ...]
    traffic: Traffic
    kinds: Mapping[str, str]


def analyse_files(
    paths: Sequence[Path],
    locality: Locality,
    policy: Policy,
    *,
    all_devices: bool = False,
    max_inflated: int = MAX_INFLATED,
    max_inflate_ratio: float = MAX_RATIO,
) -> TrafficResult:
    """Read, identify, analyse (the engine never prints). A compressed file inflating past
    `max_inflated` bytes or `max_inflate_ratio` is cut there, with a warning saying so."""
    inflate = Inflate(max_bytes=max_inflated, max_ratio=max_inflate_ratio)
    traffic, kinds = read_traffic(paths, locality, inflate)
    source = "+".join(sorted(set(kinds.values()))) or "pcap"
    devices = identified([*traffic.observations, *neighbour_observations(traffic, source)])
    found = analyse(
        traffic,
        devices,
        geo=BundledGeo(),
        table=load_endpoints(),
        policy=policy,
        all_devices=all_devices,
        source=source,
    )
    return TrafficResult(tuple(found), traffic, kinds)


def record(
    register: Register, paths: Sequence[Path], options: Mapping[str, Any], result: TrafficResult
) -> str:
    """The devices, their observations as evidence, and the egress findings, as one finished audit."""
    audit = new_audit(tuple(str(p) for p in paths), {"kind": "traffic", **options})
    by_ip: dict[str, list[Observation]] = {}
    for obs in result.traffic.observations:
        by_ip.setdefault(obs.ip, []).append(obs)
    devices = [f.device for f in result.devices]
    register.begin_audit(audit)
    for device in devices:
        register.record_host(audit.id, device.ip, [o for ip in device.ips for o in by_ip.get(ip, ())], ())
    register.finish_audit(audit.id, devices)
    return audit.id
