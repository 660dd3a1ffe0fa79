"""Country and network owner of an address, offline.

geoip2fast ships its data inside the wheel (MaxMind GeoLite2 country and ASN tables converted
to its own format: `geoip2fast-asn.dat.gz` has both country and ASN name for IPv4). Nothing is
downloaded. A country alone never decides anything about who controls a network (DESIGN.md):
the owner name is reported beside it and matched against sourced endpoint data.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

ASN_DATA = "geoip2fast-asn.dat.gz"


@dataclass(frozen=True, slots=True)
class Place:
    """Where an address is registered: ISO country, network owner (ASN name) and network."""

    country: str | None = None
    owner: str | None = None
    network: str | None = None


class Geo(Protocol):
    def lookup(self, ip: str) -> Place: ...


@functools.cache
def _bundled() -> Any:
    from geoip2fast import GeoIP2Fast  # imported lazily: loading the table takes ~0.2 s

    return GeoIP2Fast(geoip2fast_data_file=ASN_DATA, verbose=False)


class BundledGeo:
    """geoip2fast's bundled country + ASN table (IPv4; IPv6 addresses get an empty Place)."""

    def __init__(self) -> None:
        self._cache: dict[str, Place] = {}

    def lookup(self, ip: str) -> Place:
        found = self._cache.get(ip)
        if found is None:
            found = self._cache[ip] = self._lookup(ip)
        return found

    @staticmethod
    def _lookup(ip: str) -> Place:
        if ":" in ip:
            return Place()
        result = _bundled().lookup(ip)
        text = result.country_code or ""
        code = text if len(text) == 2 and text.isalpha() else None
        return Place(
            country=code, owner=result.asn_name or None, network=result.asn_cidr or result.cidr or None
        )


class TableGeo:
    """A fixed CIDR -> Place table (a site's own knowledge of its providers, and tests), over a fallback."""

    def __init__(self, table: Mapping[str, Place], fallback: Geo | None = None) -> None:
        self._table = sorted(
            ((ipaddress.ip_network(cidr), place) for cidr, place in table.items()),
            key=lambda item: -item[0].prefixlen,
        )
        self._fallback = fallback

    def lookup(self, ip: str) -> Place:
        addr = ipaddress.ip_address(ip)
        for net, place in self._table:
            if addr in net:
                return place
        return self._fallback.lookup(ip) if self._fallback else Place()
