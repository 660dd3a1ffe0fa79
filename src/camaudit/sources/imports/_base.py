"""What every import reader yields, and the shape of one format's entry in the registry.

A reader turns one file into a stream of `Record`s (what the file says about one address, as the
`Observation`s a probe would have made) and `ImportProblem`s (a record that could not be read, with
where it was, so that a person can find it). A problem never stops the stream unless the file itself
cannot go on (XML that is no longer well-formed, a compressed stream cut short); then it is the last
item and says so (`fatal`).
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

from camaudit.model import Observation, Transport, printable

# Keys of `Record.meta`: what an internet-scan record says about where an address is and who holds
# it (Shodan `location`/`asn`/`org`, Censys `location`/`autonomous_system`); the census reads them.
META_KEYS = ("country", "city", "asn", "org", "hostname")
# A claim the import tool itself made (nmap's service product, Shodan's `product`): weak evidence
# (fields.yaml `import.*`), never the device's own words.
CLAIM_KIND = "import.claim"


@dataclass(frozen=True, slots=True)
class Record:
    """What one record of an import file says about one address.

    Attributes:
        ip: the address, as text.
        observations: what a probe would have made of the same replies (``http.response``,
            ``tls.certificate``, ``rtsp.response``, ``neighbour``, ``tcp.open`` …) plus the tool's own
            conclusions as one ``import.claim`` per service.
        where: where the record sits in the file (``line 12``, ``byte 3456``, ``host 7``).
        meta: `META_KEYS` values the record carries (country as ISO 3166 alpha-2, ASN as ``AS123``).
        time: when the tool saw the address, when the record says.
    """

    ip: str
    observations: tuple[Observation, ...]
    where: str
    meta: Mapping[str, str] = field(default_factory=dict)
    time: datetime | None = None

    def __post_init__(self) -> None:
        meta = {k: printable(str(v))[:256] for k, v in self.meta.items() if k in META_KEYS and v}
        object.__setattr__(self, "meta", types.MappingProxyType(meta))

    @property
    def ports(self) -> tuple[int, ...]:
        return tuple(sorted({o.port for o in self.observations if o.port is not None}))


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """A record skipped, or the point where a file could not be read further.

    Attributes:
        where: ``line 12``, ``byte 3456`` … (the file name is added by whoever reads several files).
        reason: one line, for people.
        fatal: True when nothing after this point was read (broken XML, a truncated compressed file,
            an inflation budget reached).
    """

    where: str
    reason: str
    fatal: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", printable(self.reason)[:300])

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


Item = Record | ImportProblem
Reader = Callable[[BinaryIO], Iterator[Item]]


@dataclass(frozen=True, slots=True)
class Format:
    """One import format: its name, how its content is recognised, and its reader.

    Attributes:
        name: stable id (``nmap_xml``, ``shodan`` …), shown to people and recorded with the audit.
        sniff: True when the first bytes of the (decompressed) content are this format's.
        read: the stream (binary, decompressed, positioned at byte 0) to records and problems.
        doc: one line for ``--help`` and the docs.
    """

    name: str
    sniff: Callable[[bytes], bool]
    read: Reader
    doc: str


def observation(
    source: str,
    ip: str,
    port: int | None,
    kind: str,
    fields: Mapping[str, str],
    *,
    protocol: str,
    raw: bytes = b"",
    when: datetime | None = None,
    mac: str | None = None,
) -> Observation:
    """An Observation of an import (transport TCP when a port is known: scanners report TCP services)."""
    extra = {"time": when} if when is not None else {}
    return Observation(
        source=source,
        ip=ip,
        port=port,
        transport=Transport.TCP if port is not None else Transport.NONE,
        protocol=protocol,
        kind=kind,
        fields=dict(fields),
        raw=raw,
        mac=mac,
        **extra,
    )


def restamped(found: Iterable[Observation], source: str, when: datetime | None) -> list[Observation]:
    """Observations built by `camaudit.sources.evidence` converters, as this import's own."""
    changes: dict[str, object] = {"source": source}
    if when is not None:
        changes["time"] = when
    out = []
    for obs in found:
        transport = Transport.TCP if obs.port is not None else Transport.NONE
        out.append(dataclasses.replace(obs, transport=transport, **changes))  # type: ignore[arg-type,unused-ignore]
    return out


def claim(
    source: str, ip: str, port: int | None, fields: Mapping[str, str], when: datetime | None = None
) -> list[Observation]:
    """The tool's own conclusions about one service as an ``import.claim`` (none when it said nothing)."""
    kept = {k: v.strip() for k, v in fields.items() if v and v.strip()}
    if not kept:
        return []
    return [observation(source, ip, port, CLAIM_KIND, kept, protocol="import", when=when)]


def epoch(value: object) -> datetime | None:
    """Seconds since 1970 (int or numeric text) as a UTC time; None when absent or absurd."""
    try:
        number = float(str(value))
    except ValueError:
        return None
    if not 0 < number < 32503680000:  # before year 3000: anything else is not a time
        return None
    return datetime.fromtimestamp(number, UTC)


def iso_time(value: object) -> datetime | None:
    """An ISO 8601 time (``Z`` or an offset, nanoseconds cut to micro), UTC when none is given."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:  # Censys writes nanoseconds; fromisoformat takes at most six digits
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
