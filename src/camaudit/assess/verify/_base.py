"""Types and the one HTTP helper shared by the verifications (not a verification itself).

`fetch` is the only way a verification reads a reply: it sends one `ReadOnlyRequest` through the
Connector, matches the caller's *named* markers against the bounded reply, and returns a `Seen` summary
(status, length, content type, the marker's name). The body never leaves this module, so a verification
cannot store or print what a vulnerable device leaked.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from camaudit.errors import ProtocolError
from camaudit.model import Device, Evidence, Observation, ProbeStatus
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import http

if TYPE_CHECKING:
    from camaudit.assess.framework import Context

HTTP_PORTS = (80, 8080, 8000, 443, 8443)  # preference order when a device serves HTTP on several


class Outcome(StrEnum):
    CONFIRMED = "confirmed"  # the reply proves the flaw
    NOT_CONFIRMED = "not_confirmed"  # the device answered like a patched one (refused the bypass)
    UNDETERMINED = "undetermined"  # no usable answer (no web port, timeout, nonsense, no control)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What a verification concluded, with only status/length/marker-name evidence."""

    verification: str
    outcome: Outcome
    reason: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Verification:
    """A registry entry: see `camaudit.assess.verify.VERIFICATIONS`.

    Attributes:
        id: stable id, named by ``check:`` in the CVE data.
        cves: the CVEs it confirms.
        manufacturers: true manufacturers (vocabulary ids) it may run on; OEM rebrands included by design.
        sends: what goes on the wire, for people (docs, report), e.g. ``GET /path (no auth)``.
        run: the coroutine; it may only call `fetch`.
    """

    id: str
    cves: tuple[str, ...]
    manufacturers: frozenset[str]
    sends: tuple[str, ...]
    run: Callable[[Device, Context], Awaitable[VerifyResult]]

    def applies_to(self, device: Device) -> bool:
        return device.manufacturer in self.manufacturers


@dataclass(frozen=True, slots=True)
class WebPort:
    ip: str
    port: int
    tls: bool


@dataclass(frozen=True, slots=True)
class Seen:
    """A reply, summarised: the body itself is gone.

    Attributes:
        method, path: what was sent.
        status: the HTTP status, or None when no parsable reply came.
        length: bytes of body read (bounded by the Connector's cap).
        content_type: the Content-Type header (bounded), "" when absent.
        marker: the name of the first marker that matched the body, or None.
        failure: why there is no status (timeout, refused, not HTTP …), else "".
    """

    method: str
    path: str
    status: int | None
    length: int = 0
    content_type: str = ""
    marker: str | None = None
    failure: str = ""

    def describe(self) -> str:
        got = f"{self.status}" if self.status is not None else f"no answer ({self.failure})"
        extra = f", {self.length} bytes" if self.status is not None else ""
        mark = f", marker {self.marker}" if self.marker else ""
        return f"{self.method} {self.path} -> {got}{extra}{mark}"


def evidence(verification: str, where: WebPort, seen: Seen, outcome: Outcome) -> Evidence:
    """What a verification rests on: the request and the summary of its answer, nothing more."""
    return Evidence(
        kind="verify.http",
        field="http.status",
        value=seen.describe(),
        rule_id=verification,
        source=f"verify:{verification}",
        ip=where.ip,
        port=where.port,
        claims={"verification": outcome.value},
        confidence=1.0 if outcome is Outcome.CONFIRMED else 0.0,
    )


def web_port(device: Device, observations: tuple[Observation, ...]) -> WebPort | None:
    """The device's HTTP port, from the scan's own http.response observations (plain HTTP first)."""
    seen: dict[int, bool] = {}
    for obs in observations:
        if obs.kind == "http.response" and obs.port is not None and obs.ip in device.ips:
            seen[obs.port] = obs.fields.get("http.tls") == "true"
    ranked = sorted(seen, key=lambda p: (seen[p], HTTP_PORTS.index(p) if p in HTTP_PORTS else 99, p))
    return WebPort(device.ip, ranked[0], seen[ranked[0]]) if ranked else None


def _authority(where: WebPort) -> str:
    host = f"[{where.ip}]" if ":" in where.ip else where.ip
    default = 443 if where.tls else 80
    return host if where.port == default else f"{host}:{where.port}"


def _summarise(method: str, path: str, data: bytes, markers: Mapping[str, re.Pattern[bytes]]) -> Seen:
    try:
        resp = http.parse_response(data, method=method)
    except ProtocolError as exc:
        return Seen(method, path, None, failure=f"not an HTTP response: {exc}"[:200])
    ctype = next((v for k, v in resp.headers if k.lower() == "content-type"), "")[:100]
    marker = next((name for name, rx in markers.items() if rx.search(resp.body)), None)
    return Seen(method, path, resp.status, _length(resp, method), ctype, marker)


def _length(resp: http.HttpResponse, method: str) -> int:
    """Body bytes read; for HEAD, the announced Content-Length (RFC 9110 §9.3.2), bounded."""
    if method != "HEAD":
        return len(resp.body)
    announced = next((v.strip() for k, v in resp.headers if k.lower() == "content-length"), "")
    return min(int(announced), 2**31) if announced.isdigit() and len(announced) < 12 else 0


async def fetch(
    connector: Connector,
    where: WebPort,
    path: str,
    *,
    markers: Mapping[str, re.Pattern[bytes]] | None = None,
    head: bool = False,
    probe: str = "verify",
) -> Seen:
    """Send one read-only GET (or HEAD) of a fixed `path`; return the summary, never the body."""
    method = "HEAD" if head else "GET"
    make = ReadOnlyRequest.http_head if head else ReadOnlyRequest.http_get
    request = make(_authority(where), path)

    def done(data: bytes) -> bool:
        return http.response_complete(data, method=method)

    ex = await connector.exchange_tcp(where.ip, where.port, request, done=done, tls=where.tls, probe=probe)
    if not ex.data:
        reason = ex.attempt.error_reason or ex.attempt.status.value
        return Seen(method, path, None, failure=reason)
    seen = _summarise(method, path, ex.data, markers or {})
    if ex.attempt.status is ProbeStatus.TOO_LARGE:
        return Seen(method, path, None, failure="reply larger than the byte cap")
    return seen


Decide = Callable[[Seen, "Seen | None"], tuple[Outcome, str]]


async def control_then_probe(
    verification: str,
    device: Device,
    context: Context,
    *,
    control: str,
    proof: str,
    refused: frozenset[int],
    decide: Decide,
    head: bool = False,
    markers: Mapping[str, re.Pattern[bytes]] | None = None,
) -> VerifyResult:
    """The shape of every verification: a control request that must be refused (else a device that says
    yes to everything would "confirm" anything), then, only then, the one request that shows the flaw."""
    where = web_port(device, context.observations_for(device))
    if where is None or context.connector is None:
        return VerifyResult(verification, Outcome.UNDETERMINED, "no HTTP port was seen on the device")
    conn = context.connector
    first = await fetch(conn, where, control, markers=markers, head=head, probe=verification)
    second = None
    if first.status in refused:
        second = await fetch(conn, where, proof, markers=markers, head=head, probe=verification)
    outcome, reason = decide(first, second)
    seen = [s for s in (first, second) if s is not None]
    return VerifyResult(
        verification, outcome, reason, tuple(evidence(verification, where, s, outcome) for s in seen)
    )
