"""Brand on the label vs true manufacturer, from a device's evidence.

Each piece of evidence votes for a maker: directly (``manufacturer`` claim, e.g. an SADP reply)
or through `data/oem.yaml` when it only names a label brand (ONVIF Manufacturer "Lorex" ->
dahua at the table's confidence). Votes are combined by noisy-OR across *independent* tell
families (the strongest vote per family counts once: the four DHIP fields are one reply).
The winner needs enough support and a clear margin (in log-odds) over the runner-up; otherwise the
maker is left unknown and the disagreement is reported.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from camaudit.data.load import load_knowledge
from camaudit.model import Evidence

THRESHOLD = 0.5  # below this the maker stays None
# The winner's log-odds must beat the runner-up's by this much (odds 4.5 times higher): two strong
# tells for different makers are a conflict, a protocol tell against a lone weak hint is not.
MARGIN = 1.5
# Fields of one discovery reply are one tell, not several (a reply is answered or not).
_ONE_MESSAGE = ("sadp.", "dhip.", "dvrip.", "hiksdk.", "onvif.", "wsd.")


@dataclass(frozen=True, slots=True)
class Verdict:
    manufacturer: str | None
    confidence: float
    scores: dict[str, float]
    conflicts: tuple[str, ...]


# Sources of evidence read from a reported value (device.py `naming`): "<key>:<field that carried it>".
_NAMED_SOURCES = ("model:", "serial:", "firmware:")


def family(ev: Evidence) -> str:
    """Independence group of a piece of evidence (a model's, serial's or firmware version's naming
    scheme counts with the reply that reported it)."""
    field = ev.field
    if ev.source.startswith(_NAMED_SOURCES):
        field = ev.source.split(":", 1)[1]
    for prefix in _ONE_MESSAGE:
        if field.startswith(prefix):
            return prefix
    return field


# A label link below this is a hint: the brand mostly makes (or has made) its own devices.
HINT = 0.5


def label_votes(brand: str, weight: float) -> list[tuple[str, float]]:
    """Who made a device sold under `brand`, by oem.yaml: the OEM maker for a rebrand label; for a
    brand with only some OEM lines, mostly the brand itself and the OEM maker as a hint."""
    link = load_knowledge().oem.maker_of(brand)
    if link is None:
        return [(brand, weight)]
    votes = [(link.manufacturer, weight * link.confidence)]
    if link.confidence < HINT:
        votes.append((brand, weight * (1.0 - link.confidence)))
    return votes


def maker_votes(ev: Evidence) -> list[tuple[str, float]]:
    """(maker, weight) pairs this evidence supports: a firmware tell names its maker; a label names
    makers through `label_votes`."""
    if "manufacturer" in ev.claims:
        return [(ev.claims["manufacturer"], ev.confidence)]
    brand = ev.claims.get("brand")
    return label_votes(brand, ev.confidence) if brand else []


def maker_vote(ev: Evidence) -> tuple[str, float] | None:
    """The strongest (maker, weight) this evidence supports, or None."""
    return max(maker_votes(ev), key=lambda v: v[1], default=None)


def _noisy_or(votes: Iterable[tuple[str, str, float]]) -> dict[str, float]:
    """Noisy-OR per maker over the best vote of each (maker, tell family)."""
    best: dict[tuple[str, str], float] = {}
    for maker, fam, weight in votes:
        if weight > 0:
            best[(maker, fam)] = max(best.get((maker, fam), 0.0), weight)
    miss: dict[str, float] = {}
    for (maker, _), weight in best.items():
        miss[maker] = miss.get(maker, 1.0) * (1.0 - weight)
    return {maker: round(1.0 - m, 4) for maker, m in miss.items()}


def scores(evidence: Iterable[Evidence]) -> dict[str, float]:
    """Noisy-OR per maker over every vote, firmware tells and labels together."""
    return _noisy_or((m, family(ev), w) for ev in evidence for m, w in maker_votes(ev))


def firmware_scores(evidence: Iterable[Evidence]) -> dict[str, float]:
    """Noisy-OR over the tells that name a maker directly (protocols, realms, OUI blocks …)."""
    direct = (ev for ev in evidence if "manufacturer" in ev.claims)
    return _noisy_or((ev.claims["manufacturer"], family(ev), ev.confidence) for ev in direct)


def log_odds(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def verdict(evidence: Iterable[Evidence]) -> Verdict:
    """The maker with the most support and a clear margin. Firmware tells decide among themselves;
    a label only adds to the maker it agrees with (an LTS label and a Hikvision realm are one story),
    and decides alone only where no firmware tell speaks."""
    items = list(evidence)
    table = scores(items)
    rivals = firmware_scores(items) or table
    if not rivals:
        return Verdict(None, 0.0, table, ())
    winner = max(rivals, key=lambda m: (rivals[m], table[m], m))
    top = table[winner]
    runner = max((v for m, v in rivals.items() if m != winner), default=0.0)
    confidence = round(top * (1.0 - 0.5 * runner), 4)
    ranked = sorted(rivals.items(), key=lambda kv: (-kv[1], kv[0]))
    conflicts = tuple(
        f"manufacturer: {m} {v:.2f} disagrees with {winner} {top:.2f}" for m, v in ranked if m != winner
    )
    if confidence < THRESHOLD or log_odds(top) - log_odds(runner) < MARGIN:
        return Verdict(None, confidence, table, conflicts)
    return Verdict(winner, confidence, table, conflicts)


def brand(evidence: Iterable[Evidence], manufacturer: str | None) -> str | None:
    """The label brand: the strongest explicit brand claim, else the maker itself. Between claims
    of equal strength an OEM label beats the maker's own name: an Amcrest recorder cross-flashed
    with generic Dahua firmware answers getVendor "Dahua" but keeps its AMR serial (aiodahua
    docs/hardware.md), and the box says Amcrest."""
    claims = [
        (ev.confidence, ev.claims["brand"] != manufacturer, ev.claims["brand"])
        for ev in evidence
        if "brand" in ev.claims
    ]
    if claims:
        return max(claims)[2]
    return manufacturer


def unopposed_brand(evidence: Iterable[Evidence]) -> str | None:
    """The label of a device whose maker stays undecided: kept when every brand claim names the same
    label and no tell that names a maker directly names one that label is not sold by. A SUNBA ONVIF
    name whose weak OEM link split its own maker vote is still a SUNBA; a "Dahua" vendor string on a
    box whose SADP reply is Hikvision's names no label."""
    items = list(evidence)
    labels = {ev.claims["brand"] for ev in items if "brand" in ev.claims}
    if len(labels) != 1:
        return None
    (label,) = labels
    sold_by = {maker for maker, _ in label_votes(label, 1.0)} | {label}
    return label if set(firmware_scores(items)) <= sold_by else None
