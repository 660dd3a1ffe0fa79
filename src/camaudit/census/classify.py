"""One import record → the census dimensions and the keys of its three units.

Each record is identified on its own by the same rules as an audit (`camaudit.identify`), so a census
and an audit agree on what a Hikvision is, rebrands included. Internet banners repeat (one Server
header on a million cameras): the verdict is cached per *identifying content* of a record, which is
exact, because only the fields some rule reads (plus the few `identify.device` reads itself) can
change a verdict; the address, the time and the other fields cannot.

Geography and network owner come from the record (Shodan ``location``/``asn``/``org``, Censys
``location``/``autonomous_system``) and, where the record has none, from the offline table bundled
with geoip2fast (`camaudit.traffic.geo`: country and network owner, IPv4, no city).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from camaudit.assess.checks.cves import device_firmware, match_cve
from camaudit.data.cves import Cve, load_cves
from camaudit.identify import identify
from camaudit.identify.rules import rule_index
from camaudit.model import Device, Observation
from camaudit.sources.imports import Record
from camaudit.traffic.geo import BundledGeo

# Every dimension `--by` may name, in the order partials store them.
DIMENSIONS = (
    "country",
    "city",
    "asn",
    "org",
    "manufacturer",
    "brand",
    "model",
    "firmware",
    "firmware_year",
    "device_type",
    "kev",
)
# Fields identify.device reads besides the rule fields (inferred build, catch-all discount, MACs).
_DEVICE_FIELDS = frozenset({"http.last_modified", "http.catch_all", "mac.address", "mac.oui"})
_CACHE = 200_000  # distinct banner contents remembered per process (~100 MB at the worst)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What identification made of one record's content (no address, no time)."""

    manufacturer: str = ""
    brand: str = ""
    model: str = ""
    firmware: str = ""
    device_type: str = ""
    kev: str = ""
    serial: str = ""

    dims: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        """Its values of `DIMENSIONS` after the four of place, made once (a verdict serves many records)."""
        fw = self.firmware
        dims = (self.manufacturer, self.brand, self.model, fw, firmware_year(fw), self.device_type, self.kev)
        object.__setattr__(self, "dims", dims)


class Counted(NamedTuple):
    """One record as the census counts it: its dimensions and the keys of its units (a tuple: one is
    made per record, and a frozen dataclass costs several times more to build)."""

    dims: tuple[str, ...]
    ip: str
    window: int
    device: str


@functools.cache
def _rule_fields() -> frozenset[str]:
    return frozenset(rule_index()) | _DEVICE_FIELDS


def content_key(observations: Sequence[Observation]) -> tuple[object, ...]:
    """What identification can see of these observations: the fields some rule reads, and MACs."""
    fields = _rule_fields()
    return tuple(
        (o.kind, o.mac, tuple(sorted((k, v) for k, v in o.fields.items() if k in fields)))
        for o in observations
    )


@functools.cache
def _kev_cves() -> dict[str, tuple[Cve, ...]]:
    found: dict[str, list[Cve]] = {}
    for cve in load_cves():
        if cve.kev.cisa:
            found.setdefault(cve.manufacturer, []).append(cve)
    return {maker: tuple(items) for maker, items in found.items()}


_BUILD = re.compile(r"build\s*(\d{2})(\d{2})(\d{2})\b", re.IGNORECASE)


def firmware_year(firmware: str) -> str:
    """The year of a firmware's build date (Hikvision/Dahua write ``build 170725``), else ""."""
    found = _BUILD.search(firmware)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        return ""
    return f"20{found.group(1)}"


def kev_state(device: Device) -> str:
    """``affected`` (a CISA KEV CVE matches model and firmware), ``possible`` (it may: firmware or
    model unknown), ``none`` (no KEV CVE for what is known), or ``""`` when no maker is known."""
    if not device.manufacturer:
        return ""
    fw, why = device_firmware(device)
    state = "none"
    for cve in _kev_cves().get(device.manufacturer, ()):
        found = match_cve(cve, device, fw, why)
        if found is not None and found.affected:
            return "affected"
        if found is not None:
            state = "possible"
    return state


def verdict_of(observations: Sequence[Observation]) -> Verdict:
    return _cached(content_key(observations), tuple(observations))


def _cached(key: tuple[object, ...], observations: tuple[Observation, ...]) -> Verdict:
    found = _VERDICTS.get(key)
    if found is None:
        if len(_VERDICTS) >= _CACHE:
            _VERDICTS.clear()  # bounded: a new generation of banners starts
        found = _VERDICTS[key] = judge(observations)
    return found


_VERDICTS: dict[tuple[object, ...], Verdict] = {}


def judge(observations: tuple[Observation, ...]) -> Verdict:
    """What identification makes of one record, uncached."""
    devices = identify(observations)
    if not devices:
        return Verdict()
    device = devices[0]
    return Verdict(
        manufacturer=device.manufacturer or "",
        brand=device.brand or "",
        model=device.model or "",
        firmware=device.firmware or "",
        device_type=device.device_type or "",
        kev=kev_state(device),
        serial=device.serial or "",
    )


@functools.lru_cache(maxsize=65536)  # bounded: addresses do not repeat the way banners do
def _offline_place(ip: str) -> tuple[str, str]:
    place = BundledGeo._lookup(ip)
    return place.country or "", place.owner or ""


class Classifier:
    """Records → `Counted`, with geography filled from the offline table where the record has none."""

    def __init__(self, window_days: int, offline_geo: bool = True) -> None:
        self._window = max(1, window_days) * 86400
        self._offline = offline_geo

    def counted(self, record: Record) -> Counted:
        verdict = verdict_of(record.observations)
        mac = next((o.mac.lower() for o in record.observations if o.mac), "")
        meta = record.meta
        where = (meta.get("country", ""), meta.get("city", ""), meta.get("asn", ""), meta.get("org", ""))
        device = device_key(record.ip, verdict, mac, certificate(record.observations))
        return self.made(record.ip, where, verdict, self.window(record.time), device)

    def made(
        self, ip: str, where: tuple[str, str, str, str], verdict: Verdict, window: int, device: str
    ) -> Counted:
        """The counted record: place (country, city, asn, org as the record has them) completed
        from the offline table where country or owner is missing, beside the verdict's dimensions."""
        country, city, asn, org = where
        if self._offline and (not country or not org):
            offline = _offline_place(ip)
            country, org = country or offline[0], org or offline[1]
        return Counted((country.upper(), city, asn, org, *verdict.dims), ip, window, device)

    def window(self, when: datetime | None) -> int:
        """The time window a record falls in (its start, seconds since 1970); 0 when it has no time."""
        if when is None:
            return 0
        seconds = int(when.timestamp())
        return seconds - seconds % self._window


def certificate(observations: Sequence[Observation]) -> str:
    return next((o.fields["tls.sha256"] for o in observations if o.fields.get("tls.sha256")), "")


def device_key(ip: str, verdict: Verdict, mac: str, cert_sha256: str) -> str:
    """A stable identifier of the device when the record shows one (MAC, serial, certificate
    fingerprint), else its address: one device per address is the estimate's assumption."""
    if mac:
        return f"mac:{mac}"
    if verdict.serial and verdict.manufacturer:
        return f"serial:{verdict.manufacturer}:{verdict.serial}"
    if cert_sha256:
        return f"cert:{cert_sha256}"
    return f"ip:{ip}"
