"""Shared shape of the unicast UDP discovery probes (sadp, dhip, dvrip_legacy, wsdiscovery).

Multicast does not cross routers, so each in-scope host is also asked directly (unicast), which is
the only discovery that works across routed networks. Silence is recorded as a ``timeout`` attempt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from camaudit.errors import ProtocolError
from camaudit.model import Observation, ProbeStatus
from camaudit.net.connector import Connector, Exchange
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.sources.probes._base import ProbeResult, ProbeTarget, failed, observe

# (fields, mac) for each record a datagram holds; raises ProtocolError when it does not parse.
Decoder = Callable[[bytes], Sequence[tuple[dict[str, str], str | None]]]


async def ask(
    name: str,
    target: ProbeTarget,
    conn: Connector,
    request: ReadOnlyRequest,
    *,
    kind: str,
    decode: Decoder,
) -> ProbeResult:
    ex = await conn.exchange_udp(target.ip, target.port, request, probe=name)
    return decoded(name, target, ex, kind=kind, decode=decode)


def decoded(name: str, target: ProbeTarget, ex: Exchange, *, kind: str, decode: Decoder) -> ProbeResult:
    """Observations from every datagram of one exchange; unparseable replies mark the attempt malformed."""
    found: list[Observation] = []
    problems: list[str] = []
    for datagram in ex.datagrams:
        try:
            records = decode(datagram)
        except ProtocolError as exc:
            problems.append(str(exc))
            continue
        # The MAC a reply *claims* stays in its fields (sadp.MAC, dhip.mac): Observation.mac is what
        # layer 2 showed, and a lying device must not be able to choose it.
        for fields, _claimed_mac in records:
            found.append(
                observe(
                    name,
                    target,
                    protocol=kind.split(".")[0],
                    kind=kind,
                    fields=fields,
                    raw=datagram,
                )
            )
    attempt = ex.attempt
    if problems and not found:
        attempt = failed(attempt, ProbeStatus.MALFORMED, problems[0])
    return ProbeResult(observations=tuple(found), attempts=(attempt,))
