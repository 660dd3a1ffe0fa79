"""Fuse observations into Devices: group by address, merge groups sharing a MAC, weigh evidence.

Protocol tells (SADP, DHIP, realm formats) carry high rule confidence; cosmetic ones (titles,
favicons) low. A host whose random canary path answered 200 (``http.catch_all = "true"``) says
yes to anything, so its page-content evidence (paths, bodies, titles, favicons) is discounted.
Model, firmware and serial prefer what discovery protocols report (SADP/DHIP/ONVIF) over what
web pages suggest; a build date read from a login page's Last-Modified is marked inferred.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from email.utils import parsedate_to_datetime

from camaudit.identify import manufacturer, oui
from camaudit.identify.rules import match, match_value
from camaudit.model import Device, Evidence, Observation
from camaudit.values import normal_firmware as normal_firmware  # kept importable from here

CATCH_ALL_FACTOR = 0.2
_PAGE_FIELDS = ("http.path_status", "http.body", "http.title", "http.favicon.")
_LAYER2_FIELDS = ("mac.address",)  # the neighbour table / a captured frame: what the wire showed
_CLAIMED_FIELDS = ("dhip.mac", "sadp.MAC", "dvrip.legacy.mac")  # what a reply says about itself
# Where a reported value is most trustworthy (higher first), by field prefix.
_REPORTED = ("sadp.", "dhip.", "onvif.", "dvrip.", "rtsp.sdp.", "wsd.")


def _normalised(values: Iterable[str]) -> set[str]:
    return {m for m in (oui.normalise_mac(x) for x in values) if m}


def macs_of(obs: Observation) -> set[str]:
    """Layer-2 MACs: only these merge hosts or name a device (a reply can claim any MAC it likes)."""
    found = {obs.mac} if obs.mac else set()
    return _normalised(found | {obs.fields[n] for n in _LAYER2_FIELDS if n in obs.fields})


def claimed_macs(obs: Observation) -> set[str]:
    return _normalised(obs.fields[n] for n in _CLAIMED_FIELDS if n in obs.fields)


def device_mac(items: Sequence[Observation]) -> tuple[str | None, tuple[str, ...]]:
    """(MAC, conflicts): layer 2 wins; a claimed MAC stands in only when layer 2 saw nothing."""
    wire = set().union(*(macs_of(o) for o in items))
    claimed = set().union(*(claimed_macs(o) for o in items))
    if not wire:
        return min(claimed, default=None), ()
    mac = min(wire)
    lies = sorted(claimed - wire)
    return mac, tuple(f"mac: a discovery reply claims {m}, layer 2 shows {mac}" for m in lies)


def group(observations: Iterable[Observation]) -> list[list[Observation]]:
    """Observations per IP, then IP groups that share a MAC merged (union-find)."""
    by_ip: dict[str, list[Observation]] = {}
    for obs in observations:
        by_ip.setdefault(obs.ip, []).append(obs)
    parent = {ip: ip for ip in by_ip}

    def root(ip: str) -> str:
        while parent[ip] != ip:
            ip = parent[ip]
        return ip

    owner: dict[str, str] = {}
    for ip, items in by_ip.items():
        for mac in set().union(*(macs_of(o) for o in items)):
            parent[root(ip)] = root(owner.setdefault(mac, ip))
    merged: dict[str, list[Observation]] = {}
    for ip, items in by_ip.items():
        merged.setdefault(root(ip), []).extend(items)
    return list(merged.values())


def discount(evidence: list[Evidence], catch_all: bool) -> list[Evidence]:
    if not catch_all:
        return evidence
    return [
        dataclasses.replace(ev, confidence=round(ev.confidence * CATCH_ALL_FACTOR, 4))
        if ev.field.startswith(_PAGE_FIELDS)
        else ev
        for ev in evidence
    ]


def unique(evidence: Iterable[Evidence]) -> list[Evidence]:
    """One piece of evidence per (rule, field, value): a banner repeated on every path is one tell."""
    seen: set[tuple[str | None, str, str]] = set()
    kept = []
    for ev in evidence:
        key = (ev.rule_id, ev.field, ev.value)
        if key not in seen:
            seen.add(key)
            kept.append(ev)
    return kept


# Reported values whose own scheme can name a maker or a label, and the derived field their rules read:
# a model prefix (DS-2CD… is Hikvision's, LTN… an LTS label), a serial prefix (AMC… is an Amcrest
# serial), a firmware customisation code (2.622.00AC000.0.R is Amcrest's build of Dahua firmware).
NAMED = (("model", "device.model"), ("serial", "device.serial"), ("firmware", "device.firmware"))


def naming(evidence: Sequence[Evidence], ip: str) -> list[Evidence]:
    """What each reported model, serial and firmware version's naming scheme says.

    Only rules whose scheme no other maker uses vote here; the ambiguous ones (scope: maker) type
    the device once its maker is known (`model_family`).
    """
    found, seen = [], set()
    for ev in evidence:
        for key, field in NAMED:
            value = ev.claims.get(key)
            if value is None or (key, value) in seen:
                continue
            seen.add((key, value))
            hit = match_value(field, value)
            if hit is not None and _carried_by_its_maker(ev, hit):
                # the vote belongs to the reply that carried the value (one tell, not two)
                found.append(dataclasses.replace(hit, kind="identify", source=f"{key}:{ev.field}", ip=ip))
    return found


def _carried_by_its_maker(carrier: Evidence, hit: Evidence) -> bool:
    """A naming scheme speaks only for a value whose reply names no other maker: an "AMC…" serial
    is Amcrest's in a Dahua realm, not in a printer's Server header."""
    vote = manufacturer.maker_vote(carrier)
    return vote is None or vote[0] in {maker for maker, _ in manufacturer.maker_votes(hit)}


def collect(items: Sequence[Observation]) -> list[Evidence]:
    evidence = unique(ev for obs in items for ev in match(obs))
    evidence.extend(naming(evidence, items[0].ip))
    mac, _ = device_mac(items)
    prefix = mac or next((o.fields["mac.oui"] for o in items if "mac.oui" in o.fields), None)
    found = oui.evidence(prefix, items[0].ip) if prefix else None
    if found is not None:
        evidence.append(found)
    catch_all = any(o.fields.get("http.catch_all") == "true" for o in items)
    return discount(evidence, catch_all)


def _rank(ev: Evidence) -> tuple[int, float]:
    for i, prefix in enumerate(_REPORTED):
        if ev.field.startswith(prefix):
            return (len(_REPORTED) - i, ev.confidence)
    return (0, ev.confidence)


def reported(evidence: Sequence[Evidence], key: str, maker: str | None) -> str | None:
    """Best value of `key` (model, firmware, serial), ignoring evidence for another maker."""
    usable = [ev for ev in evidence if key in ev.claims and _agrees(ev, maker)]
    return max(usable, key=_rank).claims[key] if usable else None


def _agrees(ev: Evidence, maker: str | None) -> bool:
    vote = manufacturer.maker_vote(ev)
    return maker is None or vote is None or vote[0] == maker


def device_type(evidence: Sequence[Evidence]) -> str | None:
    """Noisy-OR per type; a generic web-server verdict only when nothing more specific is known."""
    miss: dict[str, float] = {}
    for ev in evidence:
        kind = ev.claims.get("device_type")
        if kind:
            miss[kind] = miss.get(kind, 1.0) * (1.0 - ev.confidence)
    ranked = sorted(((1 - m, k) for k, m in miss.items()), reverse=True)
    specific = [k for score, k in ranked if k != "web_server" and score >= 0.3]
    if specific:
        return specific[0]
    return "web_server" if "web_server" in miss else None


def inferred_build(items: Sequence[Observation], evidence: Sequence[Evidence]) -> Evidence | None:
    """A build date from the Last-Modified of a page that a rule recognised (a login page)."""
    pages = {(ev.ip, ev.port) for ev in evidence if ev.kind == "http.response" and ev.rule_id}
    for obs in items:
        stamp = obs.fields.get("http.last_modified")
        if stamp and obs.kind == "http.response" and (obs.ip, obs.port) in pages:
            try:
                when = parsedate_to_datetime(stamp)
            except (TypeError, ValueError):
                continue
            return Evidence(
                kind=obs.kind,
                field="http.last_modified",
                value=stamp,
                source=obs.source,
                ip=obs.ip,
                port=obs.port,
                claims={"firmware": f"build {when:%Y-%m-%d}"},
                confidence=0.3,
                inferred=True,
            )
    return None


def model_family(model: str | None, maker: str | None, ip: str) -> Evidence | None:
    """What the maker's model prefix says the device is (data/fingerprints/device.model.yaml)."""
    if model is None or maker is None:
        return None
    found = match_value("device.model", model, maker=maker)
    if found is None:
        return None
    return dataclasses.replace(found, kind="identify", source="identify", ip=ip)


def _undecided(
    ips: tuple[str, ...],
    mac: str | None,
    ports: tuple[int, ...],
    evidence: list[Evidence],
    verdict: manufacturer.Verdict,
) -> Device:
    """Contradictory makers: report the evidence and the conflict, conclude no maker (the liar case);
    a label the device names itself, unopposed, is still its label."""
    return Device(
        ips=ips,
        mac=mac,
        ports=ports,
        brand=manufacturer.unopposed_brand(evidence),
        confidence=verdict.confidence,
        evidence=tuple(evidence),
        conflicts=verdict.conflicts,
    )


def decoy(evidence: Sequence[Evidence]) -> Evidence | None:
    """A reply only a published honeypot sends (its own source shows it): the strongest one."""
    found = [ev for ev in evidence if ev.claims.get("device_type") == "honeypot" and ev.confidence >= 0.5]
    return max(found, key=lambda ev: ev.confidence, default=None)


def _honeypot(items: Sequence[Observation], evidence: list[Evidence], tell: Evidence) -> Device:
    """Whatever maker its other replies imitate, a honeypot is no camera: name no maker."""
    mac, _ = device_mac(items)
    return Device(
        ips=tuple(sorted({o.ip for o in items})),
        mac=mac,
        ports=tuple(sorted({o.port for o in items if o.port is not None})),
        device_type="honeypot",
        confidence=tell.confidence,
        evidence=tuple(evidence),
        conflicts=(
            f"honeypot: {tell.field} {tell.value[:80]!r} is a published honeypot's reply ({tell.rule_id})",
        ),
    )


def fuse(items: Sequence[Observation]) -> Device:
    """One Device from the observations of one group."""
    evidence = collect(items)
    tell = decoy(evidence)
    if tell is not None:
        return _honeypot(items, evidence, tell)
    verdict = manufacturer.verdict(evidence)
    maker = verdict.manufacturer
    ips = tuple(sorted({o.ip for o in items}))
    mac, mac_conflicts = device_mac(items)
    ports = tuple(sorted({o.port for o in items if o.port is not None}))
    verdict = dataclasses.replace(verdict, conflicts=verdict.conflicts + mac_conflicts)
    if maker is None and verdict.conflicts:
        return _undecided(ips, mac, ports, evidence, verdict)
    firmware = normal_firmware(reported(evidence, "firmware", maker))
    build = None if firmware or maker is None else inferred_build(items, evidence)
    model = reported(evidence, "model", maker)
    family = model_family(model, maker, ips[0])
    if family is not None and any(ev.rule_id == family.rule_id for ev in evidence):
        family = None  # the naming scheme already voted with this rule
    extra = tuple(ev for ev in (build, family) if ev is not None)
    return Device(
        ips=ips,
        mac=mac,
        ports=ports,
        brand=manufacturer.brand(evidence, maker),
        manufacturer=maker,
        model=model,
        firmware=firmware or (build.claims["firmware"] if build else None),
        serial=reported(evidence, "serial", maker),
        device_type=device_type([*evidence, *extra]),
        confidence=verdict.confidence,
        evidence=tuple(evidence) + extra,
        conflicts=verdict.conflicts,
        firmware_inferred=build is not None,
    )


def identify(observations: Iterable[Observation]) -> list[Device]:
    """Devices, one per physical device seen (by IP, merged by MAC), in address order."""
    devices = [fuse(items) for items in group(observations)]
    return sorted(devices, key=lambda d: d.ips)
