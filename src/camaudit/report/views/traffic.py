"""`camaudit traffic --json`: the scan's device shape plus `egress`, `lookups` and `closed_network`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from camaudit.report.views.devices import device_json
from camaudit.sources.passive.summary import Counts, Traffic
from camaudit.traffic.egress import DeviceTraffic, Egress

TRAFFIC_SCHEMA = "camaudit.traffic/1"


class Analysis(Protocol):
    """What `traffic_json` shows of a passive audit (`pipeline.traffic.TrafficResult` is one)."""

    @property
    def devices(self) -> Sequence[DeviceTraffic]: ...
    @property
    def traffic(self) -> Traffic: ...
    @property
    def kinds(self) -> Mapping[str, str]: ...


def egress_json(e: Egress) -> dict[str, Any]:
    d = e.destination
    match = None
    if e.match is not None:
        ep = e.match.endpoint
        match = {
            "endpoint": ep.id,
            "name": ep.name,
            "category": ep.category,
            "operator": ep.operator,
            "operator_country": ep.owner_country,
            "matched_by": e.match.by,
            "matched_value": e.match.value,
            "source": ep.source,
        }
    return {
        "remote": d.remote,
        "names": [{"name": n, "how": how} for n, how in d.names],
        "transports": list(d.transports),
        "ports": list(d.ports),
        "packets_up": d.packets_up,
        "bytes_up": d.bytes_up,
        "packets_down": d.packets_down,
        "bytes_down": d.bytes_down,
        "first": d.first.isoformat(),
        "last": d.last.isoformat(),
        "country": e.place.country,
        "network_owner": e.place.owner,
        "network": e.place.network,
        "classification": match,
    }


def device_traffic_json(dt: DeviceTraffic) -> dict[str, Any]:
    out = device_json(dt.device)
    out["egress"] = [egress_json(e) for e in dt.egress]
    out["lookups"] = list(dt.lookups)
    out["closed_network"] = dt.closed_network
    return out


def counts_json(counts: Counts, kinds: Mapping[str, str]) -> dict[str, Any]:
    return {
        "files": [{"file": f, "kind": k} for f, k in kinds.items()],
        "records_read": counts.records,
        "records_skipped": counts.skipped,
        "warnings": [{"file": w.file, "where": w.where, "message": w.message} for w in counts.warnings],
        "warnings_not_listed": counts.warnings_dropped,
    }


def traffic_json(result: Analysis, options: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "schema": TRAFFIC_SCHEMA,
        "options": dict(options),
        "devices": [device_traffic_json(dt) for dt in result.devices],
        "counts": counts_json(result.traffic.counts, result.kinds),
    }
