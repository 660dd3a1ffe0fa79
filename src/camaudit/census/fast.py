"""The census's hot path for Shodan banner lines: a banner whose content was seen before is not read again.

Internet banners repeat: a million cameras send the same Server header, realm and page. A record is
split into what says *where and when* (address, time, place, network, Shodan's own ids) and what
says *what answers* (the reply, the page, the certificate's names, Shodan's conclusions). The second
part, with the values of the ``Date``, ``Expires`` and ``ETag`` lines of the head blanked (no rule and
no step of identification reads them; the header *names* are kept, `http.header_names` rules read them), is
the cache key: the first record with a key goes through the ordinary reader and identification
(`camaudit.sources.imports.shodan`, `census.classify`), later ones reuse the verdict. A record the
fast path cannot vouch for (a host view, a certificate chain to parse, a UDP banner, a line that
does not parse) takes the ordinary path. `tests/census/test_fast.py` proves both paths count alike.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

import orjson

from camaudit.census.classify import Classifier, Counted, Verdict, device_key, verdict_of
from camaudit.model import printable
from camaudit.sources.imports import ImportProblem, Record, is_address
from camaudit.sources.imports import shodan as reader
from camaudit.sources.imports._base import iso_time
from camaudit.sources.imports._json import MAX_LINE, lines, loads, text

# Keys that say where and when, not what answered (datapedia.shodan.io).
_WHERE = frozenset(
    {"ip", "ip_str", "timestamp", "location", "asn", "org", "isp", "hostnames", "domains", "_shodan", "hash"}
)
_VOLATILE = ("\ndate:", "\nexpires:", "\netag:")  # header lines whose values no rule reads
_CERT_WHERE = frozenset({"fingerprint", "serial", "expires", "issued", "expired"})  # per device, unread
# A Shodan stamp: a UTC date and a valid time of day, no zone (a zone would move the day). Anything else
# takes the long way: a time the reader refuses (10:90:00, or non-ASCII digits) has no window at all,
# and the day's window must not be lent to it.
_UTC_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?\Z")
_CACHE = 200_000  # distinct contents remembered; past it the cache starts again (bounded memory)
_SEPARATORS = frozenset({b"", b"[", b"]", b","})
# content key -> (verdict, whether a certificate was read); a verdict depends on the content alone
_SEEN: dict[bytes, tuple[Verdict, bool]] = {}
# Only a value the HTTP/RTSP parser accepts whatever it says is blanked (`protocols.http1`: no control
# character, well under its 8 KiB line cap; printable is stricter, which costs only cache misses). A
# control character in a Date line makes the whole reply malformed: that value changes the verdict.
_BLANKABLE_MAX = 256
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def content_key(value: Mapping[str, Any]) -> bytes | None:
    """What identification can see of a banner, as bytes; None when the fast path must not be used."""
    if not isinstance(value.get("port"), int) or ("data" in value and not isinstance(value["data"], str)):
        return None
    ssl = value.get("ssl")
    if ssl is not None and (not isinstance(ssl, Mapping) or ssl.get("chain")):
        return None  # a chain is parsed for its fingerprint: the ordinary path does it
    what = {k: v for k, v in value.items() if k not in _WHERE}
    if isinstance(what.get("data"), str):
        what["data"] = blanked(what["data"])
    if isinstance(ssl, Mapping) and isinstance(ssl.get("cert"), Mapping):
        cert = {
            k: v for k, v in ssl["cert"].items() if k not in ("fingerprint", "serial", "expires", "issued")
        }
        what["ssl"] = {**ssl, "cert": cert}
    try:
        return orjson.dumps(what)  # keys unsorted: another order is only a cache miss, never a wrong hit
    except TypeError:
        return None


def blanked(data: str) -> str:
    """`data` with the values of its Date, Expires and ETag header lines replaced by ``*``, in the head
    only (before the first blank line: a body is read by rules). str.find, not a regex: this runs once
    per record, and a multi-line regex tries every position of the text."""
    head_end = data.find("\n\r\n")
    if head_end < 0:
        head_end = data.find("\n\n")
    head_end = len(data) if head_end < 0 else head_end
    low = data[:head_end].lower()  # the body is never blanked: lower-casing it would be wasted work
    if len(low) != head_end:  # a character whose lower case is longer ("İ"): keep offsets aligned
        low = data[:head_end].translate(_ASCII_LOWER)
    spans = []
    for name in _VOLATILE:
        at = low.find(name, 0, head_end)
        while at >= 0:
            start = at + len(name)
            end = low.find("\n", start)
            end = head_end if end < 0 else end
            stop = end - (data[end - 1 : end] == "\r")
            if stop - start <= _BLANKABLE_MAX and data[start:stop].isprintable():
                spans.append((start, stop))
            at = low.find(name, end, head_end)
    if not spans:
        return data
    out, last = [], 0
    for start, end in sorted(spans):
        out.append(data[last:start])
        out.append(" *")
        last = end
    out.append(data[last:])
    return "".join(out)


class FastShodan:
    """Shodan banner lines → `Counted` and problems, with a verdict cache keyed on `content_key`."""

    def __init__(self, classifier: Classifier) -> None:
        self._classifier = classifier
        self._seen = _SEEN  # one per process: a worker's later shards reuse what its earlier ones judged
        self._days: dict[str, int] = {}

    def read(self, stream: BinaryIO, where_prefix: str = "") -> Iterator[Counted | ImportProblem]:
        for number, line in lines(stream):
            if line is None:
                yield ImportProblem(f"{where_prefix}line {number}", f"longer than {MAX_LINE} bytes: skipped")
                continue
            stripped = line.strip()
            if stripped in _SEPARATORS:
                continue
            try:
                value = orjson.loads(stripped.rstrip(b","))
            except orjson.JSONDecodeError:
                value = None
            if not isinstance(value, dict):  # the reader says why, in its own words
                yield from self._slow(stripped, f"{where_prefix}line {number}")
                continue
            hit = self._hit(value)
            if hit is None:
                yield from self._one(value, f"{where_prefix}line {number}")
            else:
                yield hit

    def _slow(self, line: bytes, where: str) -> Iterator[Counted | ImportProblem]:
        """A line orjson refused or that is no object, as the reader reads it (`_json`): its words for
        why, or the object it does read (it takes what orjson refuses, such as a UTF-8 surrogate)."""
        try:
            value = loads(line.rstrip(b","))
        except (ValueError, UnicodeDecodeError) as exc:
            yield ImportProblem(where, f"not JSON: {exc}")
            return
        if isinstance(value, dict):
            yield from self._one(value, where)
            return
        yield ImportProblem(where, "not a JSON object")

    def _hit(self, value: dict[str, Any]) -> Counted | None:
        """The record counted with a cached verdict; None when the ordinary path must read it
        (content not seen, or an address the reader must word a problem about)."""
        key = content_key(value)
        known = self._seen.get(key) if key is not None else None
        if known is None:
            return None
        ip = value.get("ip_str")
        if not isinstance(ip, str) or not is_address(ip):
            return None  # the reader words the problem (a host name is no address, as `camaudit import` says)
        # port and transport are part of the key, and only records the reader accepted are
        # remembered: a hit has a port and transport the reader accepts.
        verdict, has_names = known
        device = device_key(ip[:262144], verdict, "", _fingerprint(value) if has_names else "")
        window = self._window(value.get("timestamp"))
        return self._classifier.made(ip[:262144], _place(value), verdict, window, device)

    def _one(self, value: dict[str, Any], where: str) -> Iterator[Counted | ImportProblem]:
        """The ordinary path: the reader and identification, the verdict remembered for its content."""
        key = content_key(value)
        for item in reader.read_value(value, where):
            if isinstance(item, Record) and not is_address(item.ip):
                item = ImportProblem(where, f"not an IP address: {item.ip[:60]!r}")  # as `guarded` words it
            if isinstance(item, ImportProblem):
                yield item
                continue
            if key is not None:
                self._remember(key, item)
            yield self._classifier.counted(item)

    def _window(self, stamp: Any) -> int:
        """`Classifier.window` of `iso_time(stamp)`, remembered per day for Shodan's UTC stamps."""
        if isinstance(stamp, str) and _UTC_STAMP.match(stamp):
            day = stamp[:10]
            found = self._days.get(day)
            if found is None:
                found = self._days[day] = self._classifier.window(iso_time(day + "T00:00:00"))
            return found
        return self._classifier.window(iso_time(stamp))

    def _remember(self, key: bytes, record: Record) -> None:
        if len(self._seen) >= _CACHE:
            self._seen.clear()
        has_names = any(o.kind == "tls.certificate" for o in record.observations)
        self._seen[key] = (verdict_of(record.observations), has_names)


# typed: 1, 1.0 and true are one key untyped, but the reader writes them "1", "1.0" and "True"
@functools.lru_cache(maxsize=4096, typed=True)
def _place_of(country: Any, city: Any, asn: Any, org: Any) -> tuple[str, str, str, str]:
    """As `Record.meta` keeps them: text, control characters made visible, 256 characters."""
    return tuple(printable(text(v))[:256] if text(v) else "" for v in (country, city, asn, org))  # type: ignore[return-value]


def _place(value: Mapping[str, Any]) -> tuple[str, str, str, str]:
    location = value.get("location")
    loc = location if isinstance(location, Mapping) else {}
    parts = (loc.get("country_code"), loc.get("city"), value.get("asn"), value.get("org"))
    try:
        return _place_of(*parts)
    except TypeError:  # a structure where a name was expected: not hashable, and not a name
        return _place_of(*(None if isinstance(p, dict | list) else p for p in parts))


def _fingerprint(value: Mapping[str, Any]) -> str:
    """The certificate SHA-256 the reader would have kept (`shodan._certificate`)."""
    ssl = value.get("ssl")
    cert = ssl.get("cert") if isinstance(ssl, Mapping) else None
    found = cert.get("fingerprint") if isinstance(cert, Mapping) else None
    return text(found.get("sha256")).lower() if isinstance(found, Mapping) else ""
