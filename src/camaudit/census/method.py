"""The method of a census, written out so that a reader can repeat it and knows what it cannot show.

Every output (terminal, CSV, JSON, Parquet metadata, HTML) carries this text.
"""

from __future__ import annotations

from collections.abc import Sequence

from camaudit.census.rollup import SHARED_KEY
from camaudit.model import printable
from camaudit.version import __version__

LIMITS = (
    "An internet scan sees only what answers from the internet: cameras behind NAT or a firewall, "
    "cameras connected only to a recorder (the recorder answers for all of them), and devices that "
    "were offline when scanned are not counted; addresses change hands (DHCP, carrier-grade NAT, "
    "churn between scans), so one device can appear at several addresses and one address can hold "
    "several devices over time."
)
UNITS = (
    "banners = records in the files (one service on one port at one time); "
    "addresses = distinct (address, {days}-day window) pairs, windows counted from 1970-01-01 UTC, "
    "what published studies call networks; "
    "devices = an estimate: distinct stable identifiers (layer-2 MAC, maker + serial, TLS certificate "
    "SHA-256) where a record shows one, else the address; an identifier seen on more than "
    f"{SHARED_KEY} addresses is a shared default and counts by address."
)
GEOGRAPHY = (
    "Country, city, ASN and network owner come from each record (Shodan location/asn/org, Censys "
    "location/autonomous_system); where a record has no country or owner, they come from the "
    "offline table bundled with the geoip2fast package (MaxMind GeoLite2 country and ASN data, "
    "IPv4 only; this product includes GeoLite2 data created by MaxMind, https://www.maxmind.com). "
    "No city data is bundled: a city is shown only where the record has one."
)


def method_text(inputs: Sequence[str], query: str, window_days: int, records: int, skipped: int) -> str:
    """The whole method as one paragraph per topic."""
    # File names and the query are shown as written but never obeyed: a line break in either would start
    # a line of its own in the CSV (a row that a spreadsheet reads, `=`… and all), a control the terminal.
    chosen = f"query: {printable(query)}; " if query else ""
    files = ", ".join(printable(p) for p in inputs) or "(none)"
    return "\n".join(
        (
            f"Record set: {chosen}files: {files}; {records} records read, {skipped} skipped as malformed.",
            f"Identification: camaudit {__version__} fingerprint rules (the same as an audit), each "
            "record identified on its own; KEV = CISA Known Exploited Vulnerabilities matched on "
            "maker, model and firmware (affected / possible / none).",
            "Units: " + UNITS.format(days=window_days),
            "Geography: " + GEOGRAPHY,
            "Limits: " + LIMITS,
            "Repeat: camaudit census FILE… --by DIMENSIONS --window-days "
            f"{window_days} on the same files gives the same counts.",
        )
    )
