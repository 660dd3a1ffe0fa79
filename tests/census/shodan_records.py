"""Realistic Shodan banner files with known counts, built from real banners of the corpus.

Every template is one reply copied from a public source (`tests/corpus/cases/*.jsonl`, each case
citing where the reply was published and the truth that source states): an HTTP head, an RTSP
reply, a TLS certificate's names or a service greeting. `TEMPLATES` lists the ones used: replies that
on their own name the maker their source states (Hikvision, Dahua, their rebrands, other makers),
and replies of non-cameras that name no camera maker. Records get addresses, places, networks and
times drawn from a seeded generator, in proportions like those of published counts (Hikvision and
Dahua most common, then rebrands and other makers, with non-cameras among them); the generator keeps
the counts it made, which `camaudit census` must reproduce exactly.

Used by tests/census/ and bench/census.py:

    python tests/census/shodan_records.py OUT.json[.gz] RECORDS [--seed N] [--corrupt N]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import IO, Any

CASES = Path(__file__).resolve().parents[1] / "corpus" / "cases"

# (case id, evidence index, weight, truth maker or "" for a non-camera that names no maker).
# Chosen by hand from the corpus: each reply alone names its maker (checked by test_shodan_records).
TEMPLATES: tuple[tuple[str, int, int, str], ...] = (
    ("asia-0020", 0, 1, "reolink"),
    ("asia-0021", 0, 1, "vstarcam"),
    ("asia-0025", 0, 1, "reolink"),
    ("asia-0035", 0, 1, "tiandy"),
    ("asia-0042", 0, 1, "tp-link"),
    ("asia-0050", 0, 1, "tp-link"),
    ("asia-0067", 0, 1, "xiongmai"),
    ("dahua-0004", 0, 3, "dahua"),
    ("dahua-0009", 0, 3, "dahua"),
    ("dahua-0013", 0, 3, "dahua"),
    ("dahua-0014", 0, 3, "dahua"),
    ("dahua-0015", 0, 3, "dahua"),
    ("dahua-0019", 0, 3, "dahua"),
    ("dahua-0023", 1, 3, "dahua"),
    ("dahua-0024", 0, 3, "dahua"),
    ("dahua-0025", 0, 3, "dahua"),
    ("dahua-0026", 0, 3, "dahua"),
    ("dahua-0036", 0, 3, "dahua"),
    ("dahua-0040", 0, 3, "dahua"),
    ("hikvision-0016", 0, 3, "hikvision"),
    ("hikvision-0035", 1, 3, "hikvision"),
    ("hikvision-0037", 0, 3, "hikvision"),
    ("hikvision-0037", 1, 3, "hikvision"),
    ("hikvision-0037", 2, 3, "hikvision"),
    ("hikvision-0038", 0, 3, "hikvision"),
    ("hikvision-0038", 1, 3, "hikvision"),
    ("hikvision-0055", 0, 3, "hikvision"),
    ("rebrand-0016", 0, 1, "xiongmai"),
    ("recog-0005", 0, 1, "lilin"),
    ("recog-0017", 0, 1, "reecam"),
    ("recog-0018", 0, 1, "netwave"),
    ("recog-0022", 0, 1, "bosch"),
    ("recog-0023", 0, 1, "fuho"),
    ("recog-0024", 0, 1, "heitel"),
    ("recog-0025", 0, 1, "heitel"),
    ("recog-0094", 0, 3, "hikvision"),
    ("recog-0095", 0, 3, "hikvision"),
    ("recog-0096", 0, 3, "hikvision"),
    ("recog-0102", 0, 1, "avtech"),
    ("recog-0126", 0, 1, "d-link"),
    ("recog-0132", 0, 1, "truen"),
    ("recog-0133", 0, 1, "axis"),
    ("recog-0155", 0, 1, "pelco"),
    ("recog-0156", 0, 1, "vbrick"),
    ("recog-0181", 0, 1, "ubiquiti"),
    ("recog-0182", 0, 1, "ubiquiti"),
    ("recog-0188", 0, 1, "eagle-eye-networks"),
    ("recog-0189", 0, 1, "eagle-eye-networks"),
    ("recog-0230", 0, 1, "cisco"),
    ("recog-0239", 0, 1, "axis"),
    ("recog-0240", 0, 1, "hanwha"),
    ("recog-0241", 0, 1, "panasonic"),
    ("recog-0242", 0, 1, "panasonic"),
    ("recog-0267", 0, 1, "mobotix"),
    ("recog-0290", 0, 1, "sony"),
    ("recog-0310", 0, 1, "nuuo"),
    ("recog-0335", 0, 3, "hikvision"),
    ("recog-0336", 0, 1, "lilin"),
    ("recog-0342", 0, 1, "d-link"),
    ("recog-0377", 0, 1, "siqura"),
    ("recog-0378", 0, 1, "truen"),
    ("recog-0392", 0, 1, "bosch"),
    ("recog-0473", 0, 3, "dahua"),
    ("recog-0480", 0, 1, "indigo-security"),
    ("recog-0482", 0, 1, "avigilon"),
    ("recog-0483", 0, 1, "sony"),
    ("recog-0662", 0, 1, "grandstream"),
    ("recog-0674", 0, 3, "hikvision"),
    ("recog-0678", 0, 1, "rifatron"),
    ("recog-0713", 0, 1, "act-security"),
    ("scan-0050", 0, 1, "belkin"),
    ("scan-0056", 0, 1, "geovision"),
    ("scan-0074", 0, 1, "avtech"),
    ("scan-0077", 0, 1, "doorbird"),
    ("western-0012", 0, 1, "vivotek"),
    ("western-0012", 1, 1, "vivotek"),
    ("western-0070", 0, 1, "hanwha"),
    ("negative-0009", 1, 1, ""),
    ("negative-0009", 3, 1, ""),
    ("negative-0093", 0, 1, ""),
    ("recog-0044", 0, 1, ""),
    ("recog-0065", 0, 1, ""),
    ("recog-0066", 0, 1, ""),
    ("recog-0112", 0, 1, ""),
    ("recog-0160", 0, 1, ""),
    ("recog-0162", 0, 1, ""),
    ("recog-0168", 0, 1, ""),
    ("recog-0196", 0, 1, ""),
    ("recog-0320", 0, 1, ""),
    ("recog-0351", 0, 1, ""),
    ("recog-0358", 0, 1, ""),
    ("recog-0510", 0, 1, ""),
    ("recog-0511", 0, 1, ""),
    ("recog-0515", 0, 1, ""),
    ("recog-0517", 0, 1, ""),
    ("recog-0576", 0, 1, ""),
    ("recog-0648", 0, 1, ""),
    ("recog-0652", 0, 1, ""),
    ("recog-0657", 0, 1, ""),
    ("recog-0659", 0, 1, ""),
    ("recog-0694", 0, 1, ""),
    ("recog-0706", 0, 1, ""),
    ("recog-0723", 0, 1, ""),
    ("recog-0725", 0, 1, ""),
    ("recog-0758", 0, 1, ""),
    ("recog-0768", 0, 1, ""),
    ("recog-0772", 0, 1, ""),
)

PLACES = (  # (country, city, asn, org): real places and networks, in rough proportion of published counts
    ("US", "Los Angeles", "AS7018", "AT&T Services, Inc."),
    ("US", "New York", "AS701", "Verizon Business"),
    ("US", "Chicago", "AS7922", "Comcast Cable Communications, LLC"),
    ("GB", "London", "AS2856", "British Telecommunications PLC"),
    ("GB", "Manchester", "AS5089", "Virgin Media Limited"),
    ("GB", "London", "AS5607", "Sky UK Limited"),
    ("DE", "Berlin", "AS3320", "Deutsche Telekom AG"),
    ("FR", "Paris", "AS3215", "Orange S.A."),
    ("IT", "Milan", "AS3269", "Telecom Italia S.p.A."),
    ("VN", "Hanoi", "AS45899", "VNPT Corp"),
    ("BR", "Sao Paulo", "AS28573", "Claro NXT Telecomunicacoes Ltda"),
    ("KR", "Seoul", "AS4766", "Korea Telecom"),
)
PLACE_WEIGHTS = (14, 9, 7, 10, 6, 5, 8, 6, 5, 6, 5, 4)
BASE_TIME = (
    1_765_152_000  # 2025-12-08T00:00:00Z starts a 30-day window (counted from 1970): records fall in it
)


@dataclass
class Truth:
    """The counts the generator made, per (country, manufacturer)."""

    records: int = 0
    corrupt: int = 0
    banners: Counter[tuple[str, str]] = field(default_factory=Counter)
    addresses: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    devices: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def rows(self) -> dict[tuple[str, str], tuple[int, int, int]]:
        return {key: (n, len(self.addresses[key]), len(self.devices[key])) for key, n in self.banners.items()}

    def totals(self) -> tuple[int, int, int]:
        ips = set().union(*self.addresses.values()) if self.addresses else set()
        devices = set().union(*self.devices.values()) if self.devices else set()
        return sum(self.banners.values()), len(ips), len(devices)


def load_templates() -> list[tuple[dict[str, Any], int, str, str]]:
    """(evidence item, weight, maker, case id) for every entry of `TEMPLATES`."""
    cases: dict[str, Mapping[str, Any]] = {}
    for path in sorted(CASES.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                cases[case["id"]] = case
    return [(cases[cid]["evidence"][i], w, maker, cid) for cid, i, w, maker in TEMPLATES]


def bannerable(item: Mapping[str, Any]) -> bool:
    if item["kind"] == "http":
        return any(k in item for k in ("headers", "raw", "title", "body"))
    if item["kind"] == "rtsp":
        return "raw" in item or "headers" in item
    if item["kind"] == "tls_cert":
        return "subject" in item or "issuer" in item
    return item["kind"] == "banner" and "text" in item


def _head(first: str, headers: Mapping[str, str]) -> str:
    return first + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"


def _dn(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.split(","):
        key, _, value = part.strip().partition("=")
        if key and value and key not in out:
            out[key] = value
    return out


def banner(
    item: Mapping[str, Any], ip: str, when: int, place: tuple[str, str, str, str], cert: str
) -> dict[str, Any]:
    """One Shodan banner (datapedia.shodan.io field names) carrying the template's reply."""
    country, city, asn, org = place
    port = int(item.get("port") or {"http": 80, "rtsp": 554, "tls_cert": 443}.get(item["kind"], 23))
    record: dict[str, Any] = {
        "ip_str": ip,
        "port": port,
        "transport": "tcp",
        "timestamp": _iso(when),
        "location": {"country_code": country, "city": city},
        "asn": asn,
        "org": org,
        "isp": org,
        "hostnames": [],
        "_shodan": {
            "module": item["kind"],
            "id": hashlib.sha256(f"{ip}{port}{when}".encode()).hexdigest()[:40],
        },
    }
    kind = item["kind"]
    if kind == "http":
        raw = item.get("raw")
        if isinstance(raw, str) and raw.startswith("HTTP/"):
            record["data"] = raw.split("\r\n\r\n")[0] + "\r\n\r\n"
        else:
            headers = dict(item.get("headers") or {})
            if not any(k.lower() == "date" for k in headers):  # as every live HTTP reply has
                headers = {"Date": formatdate(when, usegmt=True), **headers}
            record["data"] = _head(f"HTTP/1.1 {item.get('status', 200)} OK", headers)
        body = item.get("body") or (raw if isinstance(raw, str) and not raw.startswith("HTTP/") else None)
        record["http"] = {"title": item.get("title"), "html": body, "status": item.get("status", 200)}
    elif kind == "rtsp":
        raw = item.get("raw")
        record["data"] = raw if isinstance(raw, str) else _head("RTSP/1.0 200 OK", item.get("headers") or {})
    elif kind == "tls_cert":
        record["data"] = ""
        subject, issuer = item.get("subject", ""), item.get("issuer", "")
        record["ssl"] = {
            "cert": {"subject": _dn(subject), "issuer": _dn(issuer), "fingerprint": {"sha256": cert}}
        }
    else:
        record["data"] = item["text"]
    return record


def _iso(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def generate(records: int, seed: int = 1, corrupt: int = 0) -> Iterator[tuple[bytes, Truth]]:
    """Lines of a Shodan download file (each with the truth so far); `corrupt` broken lines among them."""
    rng = random.Random(seed)
    templates = load_templates()
    weights = [w for _, w, _, _ in templates]
    by_case: dict[str, list[int]] = {}
    for index, (_, _, _, cid) in enumerate(templates):
        by_case.setdefault(cid, []).append(index)
    truth = Truth()
    broken = set(rng.sample(range(records + corrupt), corrupt)) if corrupt else set()
    made, serial = 0, 0
    while made < records + corrupt:
        serial += 1
        first = rng.choices(range(len(templates)), weights)[0]
        cid = templates[first][3]
        siblings = by_case[cid]
        place = rng.choices(PLACES, PLACE_WEIGHTS)[0]
        device = hashlib.sha256(f"{seed}:{serial}".encode()).hexdigest()
        tls_only = all(templates[i][0]["kind"] == "tls_cert" for i in siblings)
        plan = [
            (_ip(serial), first if not n else siblings[n % len(siblings)])
            for n in range(rng.choice((1, 1, 2, 3)))
        ]
        if tls_only and rng.random() < 0.3:  # churn: the same device (certificate) at a second address
            serial += 1
            plan.append((_ip(serial), first))
        for ip, index in plan:
            if made >= records + corrupt:
                break
            made += 1
            if made - 1 in broken:
                yield b'{"ip_str": "' + ip.encode() + b'", "port": 80, "data": "HTTP/1.1 2\n', truth
                truth.corrupt += 1
                continue
            item, _, maker, _ = templates[index]
            when = BASE_TIME + rng.randrange(20 * 86400)
            line = json.dumps(banner(item, ip, when, place, device)).encode()
            key = (place[0], maker)
            truth.records += 1
            truth.banners[key] += 1
            truth.addresses.setdefault(key, set()).add(ip)
            truth.devices.setdefault(key, set()).add(f"cert:{device}" if tls_only else f"ip:{ip}")
            yield line, truth


def _ip(serial: int) -> str:
    """A distinct public-looking address per serial (the file is never used to reach anything)."""
    return f"{(serial >> 24) % 223 + 1}.{(serial >> 16) & 255}.{(serial >> 8) & 255}.{serial & 255}"


def write(path: str | Path, records: int, seed: int = 1, corrupt: int = 0) -> Truth:
    """Write a file (gzip when the name ends in .gz) and return its truth."""
    opener: Any = gzip.open if str(path).endswith(".gz") else open
    truth = Truth()
    out: IO[bytes]
    with opener(path, "wb") as out:
        for line, made in generate(records, seed, corrupt):
            out.write(line + b"\n")
            truth = made
    return truth


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("records", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corrupt", type=int, default=0)
    args = parser.parse_args(argv)
    truth = write(args.out, args.records, args.seed, args.corrupt)
    banners, addresses, devices = truth.totals()
    sys.stdout.write(
        f"{args.out}: {banners} banners, {addresses} addresses, {devices} devices, "
        f"{truth.corrupt} corrupt lines\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
