"""Service replies found in import records, as the Observations a probe makes of the same bytes.

Every conversion goes through the converters of `camaudit.sources.evidence` (themselves built on the
codecs the probes use), so an HTTP head that Shodan recorded and one camaudit read itself give the
same ``http.*`` fields, and the same rules judge them. A reply that does not parse is kept as a
``tcp.banner`` (what was published, nothing filled in).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from camaudit.errors import InputError, ProtocolError
from camaudit.model import Observation
from camaudit.protocols import tls
from camaudit.sources import evidence
from camaudit.sources.imports._base import observation, restamped

_CONVERT_ERRORS = (ProtocolError, InputError, ValueError, KeyError, TypeError, UnicodeError)
_MAC = re.compile(r"^[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}$")


def open_port(source: str, ip: str, port: int, when: datetime | None = None) -> Observation:
    """A TCP port the tool found open (what the TCP probe records as ``tcp.open``)."""
    return observation(source, ip, port, "tcp.open", {}, protocol="tcp", when=when)


def reply(
    source: str, ip: str, port: int | None, text: str, when: datetime | None = None
) -> list[Observation]:
    """A raw reply as published: an HTTP or RTSP head becomes a response, anything else a banner."""
    head = text.lstrip()[:8]
    if head.startswith("HTTP/"):
        return http_raw(source, ip, port, text, when)
    if head.startswith("RTSP/"):
        return _converted(evidence.rtsp_item, {"port": port, "raw": text}, source, ip, when, text)
    return banner(source, ip, port, text, when)


def http_raw(
    source: str, ip: str, port: int | None, text: str, when: datetime | None = None, path: str = "/"
) -> list[Observation]:
    return _converted(evidence.http_item, {"port": port, "raw": text, "path": path}, source, ip, when, text)


def http_parts(
    source: str,
    ip: str,
    port: int | None,
    *,
    status: int | None = None,
    headers: Iterable[tuple[str, str]] = (),
    title: str | None = None,
    body: str | None = None,
    when: datetime | None = None,
) -> list[Observation]:
    """An HTTP response of which the tool published only parts (no field is filled in)."""
    item: dict[str, object] = {"port": port, "headers": dict(_first_of_each(headers))}
    if status is not None:
        item["status"] = status
    if title is not None:
        item["title"] = title
    if body is not None:
        item["body"] = body
    return _converted(evidence.http_item, item, source, ip, when, "")


def _first_of_each(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    kept = []
    for name, value in headers:
        if name.lower() not in seen:
            seen.add(name.lower())
            kept.append((name, value))
    return kept[:256]


def rtsp_public(
    source: str, ip: str, port: int | None, methods: str, when: datetime | None
) -> list[Observation]:
    """An RTSP OPTIONS answer of which only the method list was published (nmap ``rtsp-methods``)."""
    return _converted(
        evidence.rtsp_item, {"port": port, "headers": {"Public": methods}}, source, ip, when, ""
    )


def certificate_der(
    source: str, ip: str, port: int | None, der: bytes, when: datetime | None
) -> list[Observation]:
    try:
        fields = tls.certificate_fields(der)
    except _CONVERT_ERRORS:
        return []
    return [observation(source, ip, port, "tls.certificate", fields, protocol="tls", when=when)]


def certificate_pem(
    source: str, ip: str, port: int | None, pem: str, when: datetime | None
) -> list[Observation]:
    return _converted(evidence.tls_item, {"port": port, "pem": pem}, source, ip, when, "")


def certificate_names(
    source: str, ip: str, port: int | None, names: Mapping[str, str], when: datetime | None
) -> list[Observation]:
    """Only the subject and issuer (RFC 4514 strings), as Censys and runZero publish them."""
    item = {"port": port, **{k: v for k, v in names.items() if k in ("subject", "issuer") and v}}
    if len(item) == 1:
        return []
    found = _converted(evidence.tls_item, item, source, ip, when, "")
    extra = {f"tls.{k}": v for k, v in names.items() if k in ("sha256", "serial") and v}
    return [_with(o, extra) for o in found]


def _with(obs: Observation, extra: Mapping[str, str]) -> Observation:
    return observation(
        obs.source, obs.ip, obs.port, obs.kind, {**obs.fields, **extra}, protocol=obs.protocol, when=obs.time
    )


def mac(
    source: str, ip: str, address: str, when: datetime | None = None, vendor: str = ""
) -> list[Observation]:
    """A MAC address the tool saw on the wire: a neighbour observation (layer 2: it merges devices)."""
    if not _MAC.match(address.strip()):
        return []
    value = address.strip().lower().replace("-", ":")
    fields = {"mac.address": value, **({"import.mac_vendor": vendor} if vendor else {})}
    return [observation(source, ip, None, "neighbour", fields, protocol="arp", when=when, mac=value)]


def banner(
    source: str, ip: str, port: int | None, text: str, when: datetime | None = None
) -> list[Observation]:
    if not text.strip():
        return []
    return _converted(evidence.banner_item, {"port": port, "text": text}, source, ip, when, "")


def _converted(
    convert: Callable[[evidence.Item, str], list[Observation]],
    item: Mapping[str, object],
    source: str,
    ip: str,
    when: datetime | None,
    fallback: str,
) -> list[Observation]:
    try:
        found = convert(item, ip)
    except _CONVERT_ERRORS:
        port = item.get("port")
        return banner(source, ip, port if isinstance(port, int) else None, fallback, when) if fallback else []
    return restamped(found, source, when)
