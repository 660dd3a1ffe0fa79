"""People's words for the register's ids: makers, device types, severities, and one line per device.

Ids (``hikvision``, ``ip_camera``) are what the data and the register store; people read names
("Hikvision", "IP camera"). Device strings stay raw here: every output escapes for its own syntax.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from camaudit.data.load import load_vocabulary
from camaudit.model import Device, Finding, Severity

UNKNOWN = "unknown"
# A finding is on CISA's Known Exploited Vulnerabilities list when its check says so in `details`:
# `cisa_kev: true` as the CVE data writes it (data/cves), or a plain `kev: true` from other checks.
_TRUE = frozenset({"true", "yes", "1"})
SEVERITY_RANK = {s.value: i for i, s in enumerate(Severity)}


@functools.cache
def _names() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    vocab = load_vocabulary()
    makers = {k: m.name for k, m in vocab.manufacturers.items()}
    types = {k: t.name for k, t in vocab.device_types.items()}
    cameras = frozenset(k for k, t in vocab.device_types.items() if t.camera)
    return makers, types, cameras


def maker_name(maker_id: str | None) -> str:
    return _names()[0].get(maker_id, maker_id) if maker_id else UNKNOWN


def type_name(type_id: str | None) -> str:
    return _names()[1].get(type_id, type_id) if type_id else UNKNOWN


def is_camera(device: Device) -> bool:
    """A camera, recorder or doorbell: what the estate is about (a printer is not)."""
    return device.device_type in _names()[2]


def is_kev(finding: Finding) -> bool:
    return any(finding.details.get(key, "").strip().lower() in _TRUE for key in ("cisa_kev", "kev"))


def identified(device: Device) -> bool:
    """Named by maker or by type (an address that answered but told nothing is not)."""
    return bool(device.manufacturer or device.device_type)


def made_by(device: Device) -> str:
    """``Hikvision (sold as LTS)``; the label alone when the maker is unknown; "not identified"."""
    if device.manufacturer:
        maker = maker_name(device.manufacturer)
        sold = device.brand and device.brand != device.manufacturer
        # "LTS (LT Security)" inside parentheses reads badly: the label's short name is enough there.
        label = maker_name(device.brand).split(" (")[0]
        return f"{maker} (sold as {label})" if sold else maker
    if device.brand:
        return f"{maker_name(device.brand)} label, maker unknown"
    return type_name(device.device_type) if device.device_type else "not identified"


def findings_phrase(findings: Sequence[Finding]) -> str:
    """``2 findings (1 critical)``; undetermined ones are not counted as findings."""
    firm = [f for f in findings if f.status != "undetermined"]
    if not firm:
        return "no findings"
    worst = min(firm, key=lambda f: SEVERITY_RANK[f.severity.value]).severity.value
    count = sum(1 for f in firm if f.severity.value == worst)
    noun = "finding" if len(firm) == 1 else "findings"
    return f"{len(firm)} {noun} ({count} {worst})"


def device_line(device: Device) -> str:
    """One line per device: ``10.0.0.5  Hikvision (sold as LTS)  DS-2CD2043G2-I  V5.7.3  2 findings``."""
    parts = [device.ip, made_by(device), device.model, device.firmware]
    if device.device_type and device.manufacturer:
        parts.append(type_name(device.device_type))
    parts.append(findings_phrase(device.findings))
    return "  ".join(str(p) for p in parts if p)
