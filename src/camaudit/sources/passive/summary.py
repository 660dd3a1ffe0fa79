"""The per-device aggregate every passive reader feeds: constant memory whatever the input size.

Readers (pcap, Zeek, flow CSV) call `add_flow`, `add_dns`, `add_name`, `add_found`, `note_mac`
and `warn`; `finish()` returns frozen results. What is kept grows with the number of
(local address, external address) pairs, names and distinct observations — each bounded — never
with the number of packets or records.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from camaudit.model import Observation, Transport
from camaudit.sources.passive.inflate import Inflate

# Not "external": RFC 1918, RFC 6598 shared space, loopback, link-local, ULA (RFC 4193).
# 198.18.0.0/15 and the documentation ranges are deliberately absent: they are not private.
PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "::1/128",
        "fe80::/10",
        "fc00::/7",
    )
)
MAX_PAIRS = 500_000
MAX_PORTS = 32
MAX_NAMES = 16
MAX_NAMED_ADDRESSES = 200_000
MAX_LOOKUPS = 256
MAX_OBSERVATIONS = 20_000
MAX_WARNINGS = 200
EPHEMERAL = 32768  # Linux's default ip_local_port_range starts here


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Locality:
    """Which addresses are ours: the private ranges plus the user's `--internal` networks."""

    internal: tuple[Network, ...] = ()
    _cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def kind(self, ip: str) -> str:
        """``local``, ``external`` or ``other`` (multicast, broadcast, unspecified, reserved)."""
        found = self._cache.get(ip)
        if found is None:
            found = self._kind(ip)
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[ip] = found
        return found

    def _kind(self, ip: str) -> str:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return "other"
        if any(addr in net for net in (*PRIVATE, *self.internal)):
            return "local"
        if addr.is_multicast or addr.is_unspecified or str(addr) == "255.255.255.255" or addr.is_reserved:
            return "other"
        return "external"


@dataclass(frozen=True, slots=True)
class ReadWarning:
    """A record that could not be read: which file, where (byte offset or line), why."""

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Counts:
    """How much was read: records (packets, log lines, flow rows), skipped ones and warnings."""

    files: int = 0
    records: int = 0
    skipped: int = 0
    warnings: tuple[ReadWarning, ...] = ()
    warnings_dropped: int = 0


@dataclass(frozen=True, slots=True)
class Destination:
    """One external address one local device exchanged traffic with."""

    local: str
    remote: str
    transports: tuple[str, ...]
    ports: tuple[str, ...]
    packets_up: int
    bytes_up: int
    packets_down: int
    bytes_down: int
    first: datetime
    last: datetime
    names: tuple[tuple[str, str], ...]
    prefixes: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True, slots=True)
class Traffic:
    """Everything the readers saw, aggregated per local device."""

    destinations: tuple[Destination, ...]
    lookups: dict[str, tuple[str, ...]]
    observations: tuple[Observation, ...]
    local_addresses: tuple[str, ...]
    macs: dict[str, str]
    counts: Counts


class _Pair:
    __slots__ = (
        "bytes_down",
        "bytes_up",
        "first",
        "last",
        "packets_down",
        "packets_up",
        "ports",
        "prefixes",
        "transports",
    )

    def __init__(self, first: float) -> None:
        self.packets_up = self.bytes_up = self.packets_down = self.bytes_down = 0
        self.first = self.last = first
        self.ports: set[str] = set()
        self.transports: set[str] = set()
        self.prefixes: dict[str, bytes] = {}


def to_time(seconds: float) -> datetime:
    return datetime.fromtimestamp(max(0.0, min(seconds, 32503680000.0)), UTC)


class TrafficSummary:
    """The mutable accumulator behind the readers (one per analysis run)."""

    def __init__(self, locality: Locality | None = None, inflate: Inflate | None = None) -> None:
        self.locality = locality or Locality()
        self.inflate = inflate or Inflate()  # how far one compressed input may inflate
        self.cut_files = 0  # compressed inputs cut at that budget (each also a warning)
        self._pairs: dict[tuple[str, str], _Pair] = {}
        self._names: dict[str, dict[str, str]] = {}
        self._lookups: dict[str, dict[str, None]] = {}
        self._found: dict[tuple[object, ...], Observation] = {}
        self._pending_dhcp: list[tuple[str, str | None, Observation]] = []
        self._mac_ips: dict[str, set[str]] = {}
        self._local: set[str] = set()
        self._warnings: list[ReadWarning] = []
        self.files = self.records = self.skipped = self.dropped_warnings = self.dropped_pairs = 0

    # --- feeding ------------------------------------------------------------------------------

    def add_flow(
        self,
        src: str,
        dst: str,
        transport: str,
        sport: int,
        dport: int,
        packets: int,
        nbytes: int,
        first: float,
        last: float,
        prefix: bytes = b"",
    ) -> None:
        """One direction of one flow; ignored unless exactly one side is local and the other external."""
        ks, kd = self.locality.kind(src), self.locality.kind(dst)
        if ks == "local":
            self._local.add(src)
        if kd == "local":
            self._local.add(dst)
        if ks == "local" and kd == "external":
            pair = self._pair(src, dst, first)
            if pair is None:
                return
            pair.packets_up += packets
            pair.bytes_up += nbytes
            self._ports(pair, transport, dport, sport, prefix)
        elif ks == "external" and kd == "local":
            pair = self._pair(dst, src, first)
            if pair is None:
                return
            pair.packets_down += packets
            pair.bytes_down += nbytes
            self._ports(pair, transport, sport, dport, b"")
        else:
            return
        pair.first = min(pair.first, first)
        pair.last = max(pair.last, last)

    def _pair(self, local: str, remote: str, first: float) -> _Pair | None:
        pair = self._pairs.get((local, remote))
        if pair is None:
            if len(self._pairs) >= MAX_PAIRS:
                self.dropped_pairs += 1
                return None
            pair = self._pairs[(local, remote)] = _Pair(first)
        return pair

    @staticmethod
    def _ports(pair: _Pair, transport: str, remote_port: int, local_port: int, prefix: bytes) -> None:
        pair.transports.add(transport)
        # The remote side's port is a service port unless it looks ephemeral while ours does not.
        key = f"{transport}/{remote_port}"
        if (remote_port < EPHEMERAL or remote_port <= local_port) and len(pair.ports) < MAX_PORTS:
            pair.ports.add(key)
        if prefix and key not in pair.prefixes and len(pair.prefixes) < MAX_PORTS:
            pair.prefixes[key] = prefix[:16]

    def add_name(self, address: str, name: str, how: str) -> None:
        """`address` was reached by `name` (how: dns, sni, http-host)."""
        names = self._names.get(address)
        if names is None:
            if len(self._names) >= MAX_NAMED_ADDRESSES:
                return
            names = self._names[address] = {}
        if len(names) < MAX_NAMES:
            names.setdefault(name, how)

    def add_dns(self, client: str, name: str, addresses: Sequence[str]) -> None:
        """A lookup of `name` by `client` (answered with `addresses`, maybe none)."""
        for address in addresses:
            self.add_name(address, name, "dns")
        if self.locality.kind(client) != "local":
            return
        self._local.add(client)
        seen = self._lookups.setdefault(client, {})
        if len(seen) < MAX_LOOKUPS:
            seen[name] = None

    def add_found(self, obs: Observation) -> None:
        """An observation about a local device (deduplicated: announcements repeat)."""
        key = (obs.ip, obs.kind, obs.port, tuple(sorted(obs.fields.items())))
        if key not in self._found and len(self._found) < MAX_OBSERVATIONS:
            self._found[key] = obs

    def add_dhcp(self, mac: str, requested_ip: str | None, obs: Observation) -> None:
        """A DHCP client's options; its address is settled in `finish` from the MAC's traffic."""
        if len(self._pending_dhcp) < MAX_OBSERVATIONS:
            self._pending_dhcp.append((mac, requested_ip, obs))

    def note_mac(self, ip: str, mac: str) -> None:
        """`ip` sent a frame from `mac` (only local senders count: routers forward the rest)."""
        if self.locality.kind(ip) != "local":
            return
        ips = self._mac_ips.setdefault(mac, set())
        if len(ips) < 4:
            ips.add(ip)

    def warn(self, file: str, where: str, message: str) -> None:
        if len(self._warnings) < MAX_WARNINGS:
            self._warnings.append(ReadWarning(file, where, message))
        else:
            self.dropped_warnings += 1

    # --- results ------------------------------------------------------------------------------

    def macs(self) -> dict[str, str]:
        """ip -> MAC where one MAC sent from exactly one IPv4 address (a router's MAC sends for many)."""
        out: dict[str, str] = {}
        for mac, ips in self._mac_ips.items():
            v4 = [ip for ip in ips if ":" not in ip]
            if len(v4) <= 1:
                for ip in ips:
                    out.setdefault(ip, mac)
        return out

    def _observations(self, macs: dict[str, str]) -> list[Observation]:
        by_mac = {mac: ip for ip, mac in macs.items() if ":" not in ip}
        found = [_with_mac(o, macs.get(o.ip)) for o in self._found.values()]
        for mac, requested, obs in self._pending_dhcp:
            ip = by_mac.get(mac) or requested
            if ip is not None:
                found.append(_replace_ip(obs, ip, mac))
        return found

    def finish(self) -> Traffic:
        macs = self.macs()
        dests = tuple(_destination(k, p, self._names.get(k[1], {})) for k, p in sorted(self._pairs.items()))
        warnings = list(self._warnings)
        if self.dropped_pairs:
            warnings.append(
                ReadWarning("*", "-", f"{self.dropped_pairs} flow(s) beyond {MAX_PAIRS} pairs not kept")
            )
        counts = Counts(self.files, self.records, self.skipped, tuple(warnings), self.dropped_warnings)
        lookups = {c: tuple(names) for c, names in sorted(self._lookups.items())}
        return Traffic(
            dests, lookups, tuple(self._observations(macs)), tuple(sorted(self._local)), macs, counts
        )


def _destination(key: tuple[str, str], pair: _Pair, names: dict[str, str]) -> Destination:
    return Destination(
        local=key[0],
        remote=key[1],
        transports=tuple(sorted(pair.transports)),
        ports=tuple(sorted(pair.ports, key=_port_key)),
        packets_up=pair.packets_up,
        bytes_up=pair.bytes_up,
        packets_down=pair.packets_down,
        bytes_down=pair.bytes_down,
        first=to_time(pair.first),
        last=to_time(pair.last),
        names=tuple(names.items()),
        prefixes=tuple(sorted(pair.prefixes.items())),
    )


def _port_key(text: str) -> tuple[str, int]:
    transport, _, port = text.partition("/")
    return (transport, int(port))


def _with_mac(obs: Observation, mac: str | None) -> Observation:
    return obs if obs.mac or mac is None else _replace_ip(obs, obs.ip, mac)


def _replace_ip(obs: Observation, ip: str, mac: str | None) -> Observation:
    return Observation(
        source=obs.source,
        ip=ip,
        port=obs.port,
        transport=obs.transport,
        protocol=obs.protocol,
        kind=obs.kind,
        fields=obs.fields,
        raw=obs.raw,
        mac=mac or obs.mac,
        time=obs.time,
    )


def neighbour_observations(traffic: Traffic, source: str = "pcap") -> list[Observation]:
    """One `neighbour` observation per local MAC, so OUI evidence reaches identify."""
    return [
        Observation(
            source=source,
            ip=ip,
            port=None,
            transport=Transport.NONE,
            protocol="arp",
            kind="neighbour",
            fields={"mac.address": mac},
            mac=mac,
        )
        for ip, mac in sorted(traffic.macs.items())
    ]


def parse_networks(specs: Iterable[str]) -> tuple[Network, ...]:
    """`--internal` / `--closed-network` values (comma-separated CIDRs). Raises ValueError."""
    return tuple(
        ipaddress.ip_network(p.strip(), strict=False) for s in specs for p in s.split(",") if p.strip()
    )
