"""Shodan banners: ``shodan download`` files (JSON lines, usually ``.json.gz``) and ``shodan host`` /
API host views (one object whose ``data`` lists the banners).

Field names are Shodan's banner specification (https://datapedia.shodan.io/): ``ip_str``, ``port``,
``transport``, ``timestamp``, ``data`` (the raw reply: an HTTP or RTSP head, a greeting), ``http``
(``title``, ``html``), ``ssl`` (``chain`` of PEM certificates, ``cert.subject``/``issuer``), ``location``
(``country_code``, ``city``), ``asn``, ``org``, ``hostnames``; and Shodan's own conclusions
``product``, ``version``, ``devicetype``, ``os``, ``cpe``/``cpe23``, kept as an ``import.claim``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, BinaryIO

from camaudit.model import Observation
from camaudit.sources.imports import _json, _services
from camaudit.sources.imports._base import Format, ImportProblem, Item, Record, claim, iso_time, observation

SOURCE = "import:shodan"
BODY_FIELD_CHARS = 2048  # as camaudit.protocols.http keeps of a body


def sniff(head: bytes) -> bool:
    start = head[:16384]
    return b'"_shodan"' in start or (b'"ip_str"' in start and b'"data"' in start)


def read(stream: BinaryIO) -> Iterator[Item]:
    yield from _json.records(stream, _convert)


def read_value(value: Mapping[str, Any], where: str) -> Iterator[Item]:
    """The items of one already-parsed JSON object (the census's fast path parses lines itself)."""
    yield from _json.converted(_convert, value, where)


def meta_of(value: Mapping[str, Any]) -> dict[str, str]:
    """Where a banner is and who holds its network (`Record.meta`)."""
    return _meta(value)


def _convert(value: Mapping[str, Any], where: str) -> Iterator[Item]:
    if "port" not in value and isinstance(value.get("data"), list):  # a host view: its banners
        for index, banner in enumerate(value["data"], 1):
            if isinstance(banner, Mapping):
                yield from _banner(banner, f"{where}, banner {index}")
        return
    yield from _banner(value, where)


def _banner(value: Mapping[str, Any], where: str) -> Iterator[Item]:
    ip, port = _json.text(value.get("ip_str")), _json.port_of(value.get("port"))
    if not ip or port is None:
        yield ImportProblem(where, "a banner needs 'ip_str' and 'port'")
        return
    if _json.text(value.get("transport") or "tcp") != "tcp":
        return  # UDP services are not what camaudit's checks read
    when = iso_time(value.get("timestamp"))
    found = [_services.open_port(SOURCE, ip, port, when)]
    found.extend(_reply(value, ip, port, when))
    found.extend(_certificate(_json.obj(value, "ssl"), ip, port, when))
    found.extend(claim(SOURCE, ip, port, _claims(value), when))
    yield Record(ip, tuple(found), where, _meta(value), when)


def _reply(value: Mapping[str, Any], ip: str, port: int, when: datetime | None) -> list[Observation]:
    data = _json.text(value.get("data"))
    if not data.lstrip().startswith("HTTP/"):
        return _services.reply(SOURCE, ip, port, data, when)
    http = _json.obj(value, "http")
    found = _services.http_raw(SOURCE, ip, port, data, when)
    extra = _page(http)
    return [_with_page(o, extra) if o.kind == "http.response" else o for o in found]


def _page(http: Mapping[str, Any]) -> dict[str, str]:
    """The page Shodan kept beside the head (``http.html``, ``http.title``)."""
    fields: dict[str, str] = {}
    html = _json.text(http.get("html"))
    if html:
        body = html.encode("utf-8", "surrogateescape")
        fields["http.body"] = html[:BODY_FIELD_CHARS]
        fields["http.body.sha256"] = hashlib.sha256(body).hexdigest()
        fields["http.body.length"] = str(len(body))
    title = _json.text(http.get("title"))
    if title:
        fields["http.title"] = title
    return fields


def _with_page(obs: Observation, extra: Mapping[str, str]) -> Observation:
    fields = {**obs.fields, **extra}
    return observation(
        obs.source, obs.ip, obs.port, obs.kind, fields, protocol=obs.protocol, raw=obs.raw, when=obs.time
    )


def _certificate(ssl: Mapping[str, Any], ip: str, port: int, when: datetime | None) -> list[Observation]:
    chain = _json.seq(ssl, "chain")
    if chain and isinstance(chain[0], str):
        found = _services.certificate_pem(SOURCE, ip, port, chain[0], when)
        if found:
            return found
    cert = _json.obj(ssl, "cert")
    names = {k: _dn(_json.obj(cert, k)) for k in ("subject", "issuer")}
    names["sha256"] = _json.text(_json.obj(cert, "fingerprint").get("sha256")).lower()
    return _services.certificate_names(SOURCE, ip, port, names, when)


def _dn(parts: Mapping[str, Any]) -> str:
    """Shodan's ``{"CN": …, "O": …}`` as an RFC 4514 string (most specific first)."""
    order = ("CN", "OU", "O", "L", "ST", "C")
    keys = [k for k in order if k in parts] + [k for k in parts if k not in order]
    return ", ".join(f"{k}={_json.text(parts[k])}" for k in keys if _json.text(parts[k]))


def _claims(value: Mapping[str, Any]) -> dict[str, str]:
    cpes = [c for c in _json.seq(value, "cpe") + _json.seq(value, "cpe23") if isinstance(c, str)]
    return {
        "import.product": _json.text(value.get("product")),
        "import.version": _json.text(value.get("version")),
        "import.devicetype": _json.text(value.get("devicetype")),
        "import.os": _json.text(value.get("os")),
        "import.cpe": " ".join(cpes),
        "import.service": _json.text(_json.obj(value, "_shodan").get("module")),
    }


def _meta(value: Mapping[str, Any]) -> dict[str, str]:
    location = _json.obj(value, "location")
    names = [n for n in _json.seq(value, "hostnames") if isinstance(n, str)]
    return {
        "country": _json.text(location.get("country_code")),
        "city": _json.text(location.get("city")),
        "asn": _json.text(value.get("asn")),
        "org": _json.text(value.get("org")),
        "hostname": names[0] if names else "",
    }


FORMAT = Format("shodan", sniff, read, "Shodan banners: `shodan download` JSON lines (.json.gz), host views")
