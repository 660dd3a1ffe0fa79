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


def family(ev: Evidence) -> str:
    """Independence group of a piece of evidence (a model's naming scheme counts with its reply)."""
    field = ev.source.removeprefix("model:") if ev.source.startswith("model:") else ev.field
    for prefix in _ONE_MESSAGE:
        if field.startswith(prefix):
            return prefix
    return field


def maker_vote(ev: Evidence) -> tuple[str, float] | None:
    """(maker, weight) this evidence supports, or None."""
    if "manufacturer" in ev.claims:
        return ev.claims["manufacturer"], ev.confidence
    brand = ev.claims.get("brand")
    if brand is None:
        return None
    link = load_knowledge().oem.maker_of(brand)
    if link is None:
        return brand, ev.confidence
    return link.manufacturer, ev.confidence * link.confidence


def scores(evidence: Iterable[Evidence]) -> dict[str, float]:
    """Noisy-OR per maker over the best vote of each tell family."""
    best: dict[tuple[str, str], float] = {}
    for ev in evidence:
        vote = maker_vote(ev)
        if vote is not None and vote[1] > 0:
            key = (vote[0], family(ev))
            best[key] = max(best.get(key, 0.0), vote[1])
    miss: dict[str, float] = {}
    for (maker, _), weight in best.items():
        miss[maker] = miss.get(maker, 1.0) * (1.0 - weight)
    return {maker: round(1.0 - m, 4) for maker, m in miss.items()}


def log_odds(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def verdict(evidence: Iterable[Evidence]) -> Verdict:
    table = scores(evidence)
    ranked = sorted(table.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked:
        return Verdict(None, 0.0, table, ())
    winner, top = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = round(top * (1.0 - 0.5 * runner), 4)
    conflicts = tuple(f"manufacturer: {m} {s:.2f} disagrees with {winner} {top:.2f}" for m, s in ranked[1:])
    if confidence < THRESHOLD or log_odds(top) - log_odds(runner) < MARGIN:
        return Verdict(None, confidence, table, conflicts)
    return Verdict(winner, confidence, table, conflicts)


def brand(evidence: Iterable[Evidence], manufacturer: str | None) -> str | None:
    """The label brand: the strongest explicit brand claim, else the maker itself."""
    claims = [(ev.confidence, ev.claims["brand"]) for ev in evidence if "brand" in ev.claims]
    if claims:
        return max(claims)[1]
    return manufacturer
