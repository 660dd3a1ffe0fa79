"""Censys host records: the Search API v2 host view (``GET /v2/hosts/{ip}``, with or without its
``{"code", "status", "result"}`` envelope) and bulk/BigQuery export lines (one host object per line).

Field names are Censys' host schema (https://search.censys.io/api, "Hosts"; the v2 data definitions):
``ip``, ``services[]`` with ``port``, ``transport_protocol``, ``service_name``, ``observed_at``,
``banner`` (the raw reply; for HTTP, its head), ``http.response`` (``status_code``, ``headers`` with
``_`` for ``-`` in names, ``html_title``, ``body``), ``tls.certificates.leaf_data`` (``subject_dn``,
``issuer_dn``, ``fingerprint``) and ``software[]`` (Censys' own conclusion: ``vendor``, ``product``,
``version``, ``uniform_resource_identifier`` CPE, kept as an ``import.claim``); ``location`` and
``autonomous_system`` for the census.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, BinaryIO

from camaudit.model import Observation
from camaudit.sources.imports import _json, _services
from camaudit.sources.imports._base import Format, ImportProblem, Item, Record, claim, iso_time

SOURCE = "import:censys"


def sniff(head: bytes) -> bool:
    start = head[:16384]
    return b'"services"' in start and (
        b'"service_name"' in start or b'"extended_service_name"' in start or b'"transport_protocol"' in start
    )


def read(stream: BinaryIO) -> Iterator[Item]:
    yield from _json.records(stream, _convert)


def _host(value: Mapping[str, Any]) -> Mapping[str, Any]:
    """The host object inside the API's envelopes (``result``, the platform's ``result.resource``)."""
    result = _json.obj(value, "result")
    if result:
        return _json.obj(result, "resource") or result
    return value


def _convert(value: Mapping[str, Any], where: str) -> Iterator[Item]:
    host = _host(value)
    ip = _json.text(host.get("ip"))
    if not ip:
        yield ImportProblem(where, "a host record needs 'ip'")
        return
    found: list[Observation] = []
    for service in _json.seq(host, "services"):
        if isinstance(service, Mapping):
            found.extend(_service(service, ip))
    if found:
        yield Record(ip, tuple(found), where, _meta(host), iso_time(host.get("last_updated_at")))


def _service(service: Mapping[str, Any], ip: str) -> list[Observation]:
    port = _json.port_of(service.get("port"))
    transport = _json.text(service.get("transport_protocol") or "tcp").lower()
    if port is None or transport != "tcp":
        return []
    when = iso_time(service.get("observed_at") or service.get("scan_time"))
    found = [_services.open_port(SOURCE, ip, port, when)]
    found.extend(_reply(service, ip, port, when))
    found.extend(_certificate(service, ip, port, when))
    found.extend(claim(SOURCE, ip, port, _claims(service), when))
    return found


def _reply(service: Mapping[str, Any], ip: str, port: int, when: datetime | None) -> list[Observation]:
    banner = _json.text(service.get("banner"))
    response = _json.obj(_json.obj(service, "http"), "response")
    if banner.lstrip().startswith("HTTP/") or not response:
        found = _services.reply(SOURCE, ip, port, banner, when)
        title = _json.text(response.get("html_title"))
        if title:
            found.extend(_services.http_parts(SOURCE, ip, port, title=title, when=when))
        return found
    status = response.get("status_code")
    return _services.http_parts(
        SOURCE,
        ip,
        port,
        status=status if isinstance(status, int) else None,
        headers=_headers(_json.obj(response, "headers")),
        title=_json.text(response.get("html_title")) or None,
        body=_json.text(response.get("body")) or None,
        when=when,
    )


def _headers(headers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Censys writes ``Content_Length: ["0"]``: names with ``_`` for ``-``, values as lists."""
    found = []
    for name, values in headers.items():
        if name.startswith("_"):
            continue
        for item in values if isinstance(values, list) else [values]:
            found.append((name.replace("_", "-"), _json.text(item)))
    return found


def _certificate(service: Mapping[str, Any], ip: str, port: int, when: datetime | None) -> list[Observation]:
    certificates = _json.obj(_json.obj(service, "tls"), "certificates")
    leaf = _json.obj(certificates, "leaf_data")
    if not leaf:
        return []
    names = {
        "subject": _json.text(leaf.get("subject_dn")),
        "issuer": _json.text(leaf.get("issuer_dn")),
        "sha256": _json.text(leaf.get("fingerprint") or certificates.get("leaf_fp_sha_256")),
    }
    return _services.certificate_names(SOURCE, ip, port, names, when)


def _claims(service: Mapping[str, Any]) -> dict[str, str]:
    software = [s for s in _json.seq(service, "software") if isinstance(s, Mapping)]
    first = software[0] if software else {}
    cpes = [_json.text(s.get("uniform_resource_identifier")) for s in software]
    return {
        "import.service": _json.text(service.get("service_name") or service.get("protocol")),
        "import.vendor": _json.text(first.get("vendor")),
        "import.product": _json.text(first.get("product")),
        "import.version": _json.text(first.get("version")),
        "import.cpe": " ".join(c for c in cpes if c),
    }


def _meta(host: Mapping[str, Any]) -> dict[str, str]:
    location = _json.obj(host, "location")
    system = _json.obj(host, "autonomous_system")
    asn = system.get("asn")
    names = _json.seq(_json.obj(_json.obj(host, "dns"), "reverse_dns"), "names")
    return {
        "country": _json.text(location.get("country_code")),
        "city": _json.text(location.get("city")),
        "asn": f"AS{asn}" if isinstance(asn, int) else _json.text(asn),
        "org": _json.text(system.get("name") or system.get("description")),
        "hostname": _json.text(names[0]) if names else "",
    }


FORMAT = Format("censys", sniff, read, "Censys hosts: Search v2 host view, bulk/BigQuery export lines")
