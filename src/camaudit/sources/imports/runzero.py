"""runZero asset exports: JSON lines (``/export/org/assets.jsonl``) or a JSON array (``assets.json``).

Field names are runZero's asset export (https://www.runzero.com/docs/, "Exporting asset data"; the
``Asset`` schema of its API): ``addresses``, ``macs``/``mac_vendors``, ``names``, runZero's own verdicts
``type``, ``hw_vendor``/``hw_product``/``hw_version``, ``os`` (kept as an ``import.claim``), and
``services``: a map from ``address/port/transport/`` to flat string attributes (``banner`` — the raw
reply, ``html.title``, ``tls.certificates`` — base64 DER, tab-separated when several, ``product`` …;
several values of one attribute are tab-separated).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, BinaryIO

from camaudit.model import Observation
from camaudit.sources.imports import _json, _services
from camaudit.sources.imports._base import Format, ImportProblem, Item, Record, claim, epoch

SOURCE = "import:runzero"


def sniff(head: bytes) -> bool:
    start = head[:16384]
    return b'"addresses"' in start and (b'"macs"' in start or b'"alive"' in start or b'"hw_vendor"' in start)


def read(stream: BinaryIO) -> Iterator[Item]:
    yield from _json.records(stream, _convert)


def _primary(addresses: list[Any]) -> str:
    """The asset's first IPv4 address, else its first address."""
    texts = [a for a in addresses if isinstance(a, str)]
    for text in texts:
        try:
            if ipaddress.ip_address(text).version == 4:
                return text
        except ValueError:
            continue
    return texts[0] if texts else ""


def _convert(value: Mapping[str, Any], where: str) -> Iterator[Item]:
    ip = _primary(_json.seq(value, "addresses"))
    if not ip:
        yield ImportProblem(where, "an asset needs 'addresses'")
        return
    when = epoch(value.get("last_seen"))
    macs, vendors = _json.seq(value, "macs"), _json.seq(value, "mac_vendors")
    found: list[Observation] = []
    if macs and isinstance(macs[0], str):
        found.extend(_services.mac(SOURCE, ip, macs[0], when, _json.text(vendors[0]) if vendors else ""))
    for key, attrs in _json.obj(value, "services").items():
        if isinstance(attrs, Mapping):
            found.extend(_service(str(key), attrs, ip))
    found.extend(claim(SOURCE, ip, None, _asset_claims(value), when))
    names = [n for n in _json.seq(value, "names") if isinstance(n, str)]
    yield Record(ip, tuple(found), where, {"hostname": names[0] if names else ""}, when)


def _service(key: str, attrs: Mapping[str, Any], ip: str) -> list[Observation]:
    """One ``address/port/transport/`` entry; ARP and ICMP entries carry no port and are skipped."""
    parts = key.split("/")
    port = _json.port_of(parts[1]) if len(parts) > 2 else None
    if port is None or port == 0 or parts[2] != "tcp":
        return []
    when = epoch(attrs.get("ts"))
    found = [_services.open_port(SOURCE, ip, port, when)]
    banner = _json.text(attrs.get("banner"))
    found.extend(_services.reply(SOURCE, ip, port, banner, when))
    titles = _json.text(attrs.get("html.title")).split("\t")
    if titles[-1] and not any(o.fields.get("http.title") for o in found):
        found.extend(_services.http_parts(SOURCE, ip, port, title=titles[-1], when=when))
    found.extend(_certificate(_json.text(attrs.get("tls.certificates")), ip, port, when))
    fields = {
        "import.product": _json.text(attrs.get("product")),
        "import.service": _json.text(attrs.get("protocol")),
    }
    found.extend(claim(SOURCE, ip, port, fields, when))
    return found


def _certificate(chain: str, ip: str, port: int, when: datetime | None) -> list[Observation]:
    first = chain.split("\t", 1)[0].strip()
    if not first:
        return []
    try:
        der = base64.b64decode(first, validate=True)
    except (binascii.Error, ValueError):
        return []
    return _services.certificate_der(SOURCE, ip, port, der, when)


def _asset_claims(value: Mapping[str, Any]) -> dict[str, str]:
    return {
        "import.devicetype": _json.text(value.get("type")),
        "import.vendor": _json.text(value.get("hw_vendor")),
        "import.product": _json.text(value.get("hw_product")),
        "import.version": _json.text(value.get("hw_version")),
        "import.os": _json.text(value.get("os")),
    }


FORMAT = Format("runzero", sniff, read, "runZero asset export (JSON lines or a JSON array)")
