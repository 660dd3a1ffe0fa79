"""`-p`: which ports a scan may contact, in nmap's syntax (man nmap, "Port Specification").

    -p 80,443,8000-8100     TCP ports (the TCP sweep connects only to these)
    -p U:3702,T:80,554      a ``T:``/``U:`` prefix applies to the ports after it
    -p-  or  -p 1-          every TCP port; ``-100`` is 1-100

Without `-p` (or with no ``T:`` ports) the TCP sweep uses the camera ports (`probes.tcp.CAMERA_PORTS`);
without ``U:`` ports every unicast discovery inquiry is sent. Service probes run only on TCP ports the
sweep found open, so they follow the selection; with an explicit selection, follow-up requests (the
UPnP description an SSDP reply names) also stay on the chosen TCP ports.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from camaudit.errors import InputError
from camaudit.model import Observation, Transport
from camaudit.sources.probes import PROBES, Probe, ProbeTarget, Stage, tcp

MAX_PORT = 65535
_PROTOCOLS = {"T": Transport.TCP, "U": Transport.UDP}


@dataclass(frozen=True, slots=True)
class PortSelection:
    """The ports named on the command line; None for a transport means "the default ones".

    Attributes:
        spec: the text given (recorded with the audit, so `--resume` probes the same ports).
        tcp: TCP ports, or None.
        udp: UDP ports, or None.
    """

    spec: str = ""
    tcp: frozenset[int] | None = None
    udp: frozenset[int] | None = None

    @property
    def tcp_ports(self) -> tuple[int, ...]:
        return tuple(sorted(self.tcp)) if self.tcp is not None else tcp.CAMERA_PORTS

    def allows(self, port: int, transport: Transport) -> bool:
        chosen = self.tcp if transport is Transport.TCP else self.udp
        return chosen is None or port in chosen


def _range(item: str, spec: str) -> range:
    low, dash, high = item.partition("-")
    try:
        first = int(low) if low else 1
        last = (int(high) if high else MAX_PORT) if dash else first
    except ValueError:
        raise InputError(f"-p {spec!r}: {item!r} is not a port number or a range") from None
    if not 1 <= first <= last <= MAX_PORT:
        raise InputError(f"-p {spec!r}: {item!r} is not within 1-{MAX_PORT} (low-high)")
    return range(first, last + 1)


def parse_ports(spec: str) -> PortSelection:
    """`-p` text to a selection; an error names the item that is wrong."""
    text = spec.strip()
    if not text:
        raise InputError("-p: give ports, e.g. -p 80,443,554 or -p- for every TCP port")
    chosen: dict[Transport, set[int]] = {}
    transport = Transport.TCP
    for raw in text.split(","):
        item = raw.strip()
        prefix, colon, rest = item.partition(":")
        if colon:
            if prefix.upper() not in _PROTOCOLS:
                raise InputError(f"-p {spec!r}: {prefix!r}: only T: (TCP) and U: (UDP) are known")
            transport, item = _PROTOCOLS[prefix.upper()], rest.strip()
        if not item:
            continue
        chosen.setdefault(transport, set()).update(_range(item, spec))
    if not chosen:
        raise InputError(f"-p {spec!r}: no port given")
    tcp_ports, udp_ports = chosen.get(Transport.TCP), chosen.get(Transport.UDP)
    return PortSelection(
        text,
        frozenset(tcp_ports) if tcp_ports is not None else None,
        frozenset(udp_ports) if udp_ports is not None else None,
    )


def _following(probe: Probe, selection: PortSelection) -> Probe:
    """A FOLLOW probe whose planned requests stay on the chosen ports."""
    plan = probe.plan
    assert plan is not None  # a FOLLOW probe always plans (Probe checks it)

    def planned(ip: str, observations: Sequence[Observation]) -> Sequence[ProbeTarget]:
        return [t for t in plan(ip, observations) if selection.allows(t.port, t.transport)]

    return dataclasses.replace(probe, plan=planned)


def select_probes(selection: PortSelection | None, probes: Iterable[Probe] = PROBES) -> tuple[Probe, ...]:
    """The probes of a scan limited to the selection (all of them, unchanged, without one)."""
    if selection is None:
        return tuple(probes)
    chosen: list[Probe] = []
    for probe in probes:
        if probe.name == tcp.NAME:
            ports = tuple((port, Transport.TCP) for port in selection.tcp_ports)
            chosen.append(dataclasses.replace(probe, ports=ports))
        elif probe.stage is Stage.FOLLOW:
            chosen.append(_following(probe, selection))
        elif probe.stage is Stage.REACH and not any(selection.allows(p, t) for p, t in probe.ports):
            continue  # a discovery inquiry on a port not chosen
        else:
            chosen.append(probe)
    return tuple(chosen)
