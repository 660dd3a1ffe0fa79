"""zgrab2 JSON lines: one object per target, ``{"ip", "domain", "data": {module: {"status", "protocol",
"result"}}}`` (zgrab2 README "Output"; its ``zgrab2_schemas``), read for its ``http`` and ``tls`` modules.

``http``: ``result.response`` (``status_code``, ``headers`` with lower-case ``_``-separated names and an
``unknown`` list of ``{key, value}``, ``body``) and, over TLS, ``request.tls_log.handshake_log``;
``tls``: ``result.handshake_log``. The server certificate is ``server_certificates.certificate.raw``
(base64 DER), read by the same codec as a probe's. Other modules' results are ignored; a module that
failed (``status`` not ``success``) says nothing about the device.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from camaudit.model import Observation
from camaudit.sources.imports import _json, _services
from camaudit.sources.imports._base import Format, ImportProblem, Item, Record, iso_time

SOURCE = "import:zgrab2"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def sniff(head: bytes) -> bool:
    line = _json.first_value_line(head)[:16384]
    return line.startswith(b"{") and b'"data"' in line and b'"status"' in line and b'"protocol"' in line


def read(stream: BinaryIO) -> Iterator[Item]:
    yield from _json.records(stream, _convert)


def _convert(value: Mapping[str, Any], where: str) -> Iterator[Item]:
    ip = _json.text(value.get("ip"))
    if not ip:
        yield ImportProblem(where, "no 'ip'")
        return
    found: list[Observation] = []
    for name, module in _json.obj(value, "data").items():
        if isinstance(module, Mapping) and module.get("status") == "success":
            found.extend(_module(_json.text(module.get("protocol")) or name, module, ip))
    if found:
        yield Record(ip, tuple(found), where, {"hostname": _json.text(value.get("domain"))}, found[0].time)


def _module(protocol: str, module: Mapping[str, Any], ip: str) -> list[Observation]:
    result = _json.obj(module, "result")
    when = iso_time(module.get("timestamp"))
    if protocol == "http":
        return _http(_json.obj(result, "response"), ip, when)
    if protocol == "tls":
        port = _json.port_of(module.get("port")) or 443
        return _certificate(_json.obj(result, "handshake_log"), ip, port, when)
    return []


def _http(response: Mapping[str, Any], ip: str, when: datetime | None) -> list[Observation]:
    request = _json.obj(response, "request")
    url = _json.obj(request, "url")
    scheme = _json.text(url.get("scheme")) or "http"
    port = _port(_json.text(url.get("host")), scheme)
    status = response.get("status_code")
    found = [_services.open_port(SOURCE, ip, port, when)]
    found.extend(
        _services.http_parts(
            SOURCE,
            ip,
            port,
            status=status if isinstance(status, int) else None,
            headers=_headers(_json.obj(response, "headers")),
            body=_json.text(response.get("body")) or None,
            when=when,
        )
    )
    handshake = _json.obj(_json.obj(request, "tls_log"), "handshake_log")
    found.extend(_certificate(handshake, ip, port, when))
    return found


def _port(host: str, scheme: str) -> int:
    """The port of ``host:port`` in the request URL, else the scheme's (zgrab2 records no other)."""
    found = urlsplit(f"//{host}").port if ":" in host else None
    return found or _DEFAULT_PORTS.get(scheme, 80)


def _headers(headers: Mapping[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name, values in headers.items():
        if name == "unknown":
            for item in values if isinstance(values, list) else []:
                if isinstance(item, Mapping):
                    found.extend(
                        (_json.text(item.get("key")), _json.text(v)) for v in _json.seq(item, "value")
                    )
            continue
        for item in values if isinstance(values, list) else [values]:
            found.append((name.replace("_", "-"), _json.text(item)))
    return found


def _certificate(
    handshake: Mapping[str, Any], ip: str, port: int, when: datetime | None
) -> list[Observation]:
    certificate = _json.obj(_json.obj(handshake, "server_certificates"), "certificate")
    raw = _json.text(certificate.get("raw"))
    if not raw:
        return []
    try:
        der = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return []
    return _services.certificate_der(SOURCE, ip, port, der, when)


FORMAT = Format("zgrab2", sniff, read, "zgrab2 JSON lines (http and tls modules)")
