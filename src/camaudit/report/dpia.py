"""A draft privacy / data-protection impact assessment per site, in Markdown.

Pre-filled from evidence (devices, capabilities read as enabled, where data is sent, vendors and their
policy outcomes); everything only people can answer is a visible blank marked NEEDS A PERSON. The UK
Surveillance Camera Code's 12 guiding principles and the NZ Privacy Commissioner's CCTV expectations
are checked off as "evidenced" only where camaudit holds evidence, never otherwise.

Device strings are hostile: every interpolated value goes through `md` (Jinja2 `finalize`), which
neutralises Markdown and HTML syntax, so a device named ``<script>`` or ``| x |`` stays text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader

from camaudit.config import Config
from camaudit.data.capabilities import Capability
from camaudit.model import Device, FindingKind
from camaudit.policy.judgement import Judgement
from camaudit.policy.obligations import Context, Outcome
from camaudit.policy.privacy import LABELS, DeviceCapabilities
from camaudit.policy.verdicts import PolicyReport, display, display_type, who
from camaudit.version import __version__

CODE_SOURCE = "https://www.gov.uk/government/publications/update-to-surveillance-camera-code"
NZ_SOURCE = "https://www.privacy.org.nz/resources-and-learning/a-z-topics/privacy-and-cctv"
NO_SITE = "(no site declared)"
EVIDENCED, PERSON = "evidenced", "NEEDS A PERSON"
_MD = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")

# The Code's principles in short (our wording; see CODE_SOURCE for the text).
PRINCIPLES = (
    "a specified purpose, a legitimate aim and a pressing need",
    "effect on privacy considered, with regular reviews",
    "transparency, with a published contact point",
    "clear responsibility and accountability",
    "rules, policies and procedures in place before use",
    "no more images stored than needed, deleted when done",
    "access to retained images restricted",
    "approved operational, technical and competency standards",
    "security against unauthorised access and use",
    "review and audit, with regular published reports",
    "used effectively, with images of evidential value",
    "reference databases for matching (ANPR, face) accurate and up to date",
)
QUESTIONS = (
    "Purpose of the cameras and the pressing need they meet",
    "Lawful basis (UK GDPR Art 6; a legitimate-interests assessment if relied on)",
    "Condition for special-category (biometric) data, if face capture or recognition is used (Art 9)",
    "Why less intrusive means would not do (necessity and proportionality)",
    "Retention period and how deletion is enforced",
    "Who may view or export footage, and on what authority",
    "Signage: where, and does it name the operator, a contact and any audio recording",
    "People consulted (staff, public, unions) and their views",
    "DPO's advice and whether it was followed",
    "Date of the next review",
)


class Trusted(str):
    """Text camaudit wrote itself (labels, principles, our own sentences): rendered as is."""

    __slots__ = ()


def md(value: Any) -> str:
    """A device or user string made inert in Markdown (and HTML, when the Markdown is rendered)."""
    if value is None or value == "":
        return "-"
    if isinstance(value, Trusted):
        return str(value)
    text = " ".join(str(value).split())  # no newlines: one table cell stays one cell
    return _MD.sub(r"\\\1", text)


_ENV = Environment(
    loader=PackageLoader("camaudit.report", "templates"),
    autoescape=False,  # noqa: S701 - Markdown, not HTML: `finalize=md` escapes every value instead
    finalize=md,
    keep_trailing_newline=True,
)


@dataclass(frozen=True, slots=True)
class SiteEvidence:
    """Everything known about one site's devices."""

    name: str
    devices: tuple[Device, ...] = ()
    caps: tuple[DeviceCapabilities, ...] = ()
    owners: Mapping[str, str] = field(default_factory=dict)


def _capability_rows(caps: Sequence[DeviceCapabilities], attr: str) -> list[dict[str, Any]]:
    found: dict[str, list[str]] = {}
    for c in caps:
        for cap in sorted(getattr(c, attr)):
            found.setdefault(LABELS[cap], []).append(c.device.ip)
    return [{"label": Trusted(label), "devices": ips} for label, ips in sorted(found.items())]


def _egress(devices: Sequence[Device]) -> list[str]:
    return [f"{d.ip}: {f.title}" for d in devices for f in d.findings if f.kind is FindingKind.EGRESS]


def _vendors(devices: Sequence[Device], policy: PolicyReport | None) -> list[str]:
    out: list[str] = []
    for maker in sorted({d.manufacturer or "" for d in devices}):
        group = [d for d in devices if (d.manufacturer or "") == maker]
        flagged = sorted(
            {
                v.pack.id
                for d in group
                for v in (policy.for_device(d) if policy else ())
                if v.outcome is Outcome.VIOLATES
            }
        )
        note = f"; possible non-compliance with {', '.join(flagged)} (check with counsel)" if flagged else ""
        out.append(Trusted(f"{display(maker) if maker else 'unknown maker'}: {len(group)} device(s){note}"))
    return out


def _row(number: int | str, text: str, status: str, evidence: str = "-") -> dict[str, Any]:
    # Rows hold only our own sentences, vocabulary names and scanned addresses.
    return {"number": number, "text": Trusted(text), "status": Trusted(status), "evidence": Trusted(evidence)}


def _security(devices: Sequence[Device]) -> tuple[str, str]:
    kinds = (FindingKind.VULNERABILITY, FindingKind.CREDENTIAL, FindingKind.EXPOSURE)
    found = [f for d in devices for f in d.findings if f.kind in kinds]
    if not found:
        return PERSON, "no security assessment recorded for these devices"
    real = [f for f in found if f.status in ("affected", "vulnerable", "violates", "open", "enabled")]
    return EVIDENCED, f"{len(real)} security finding(s) to act on, {len(found)} checked (see the findings)"


def _matching(caps: Sequence[DeviceCapabilities]) -> tuple[str, str]:
    watch = {Capability.ANPR, Capability.FACE_CAPTURE, Capability.FACE_RECOGNITION}
    on = sorted({f"{LABELS[c]} on {x.device.ip}" for x in caps for c in x.enabled & watch})
    if on:
        return PERSON, "; ".join(on) + ": is the reference list accurate and current?"
    if any(x.read for x in caps):
        return EVIDENCED, "no ANPR or face analytics read as enabled"
    return PERSON, "analytics not read"


def code_checklist(site: SiteEvidence) -> list[dict[str, Any]]:
    rows = [_row(i + 1, text, PERSON) for i, text in enumerate(PRINCIPLES)]
    owned = [d.ip for d in site.devices if site.owners.get(d.key)]
    inventory = (
        f"inventory of {len(site.devices)} device(s) with true manufacturer; owner recorded for {len(owned)}"
    )
    rows[1]["evidence"] = Trusted("enabled capabilities in section 2")
    rows[3] = _row(4, PRINCIPLES[3], EVIDENCED if len(owned) == len(site.devices) else PERSON, inventory)
    rows[5]["evidence"] = Trusted("retention not readable over the network")
    rows[8] = _row(9, PRINCIPLES[8], *_security(site.devices))
    rows[9]["evidence"] = Trusted("this audit is one review; publishing is for people")
    rows[11] = _row(12, PRINCIPLES[11], *_matching(site.caps))
    return rows


def nz_checklist(site: SiteEvidence) -> list[dict[str, Any]]:
    audio = sorted(x.device.ip for x in site.caps if Capability.AUDIO_RECORDING in x.enabled)
    if audio:
        sound = (
            EVIDENCED,
            f"audio recording enabled on {', '.join(audio)}: switch it off unless necessary, and say so",
        )
    elif any(x.read for x in site.caps):
        sound = (EVIDENCED, "no audio recording read as enabled")
    else:
        sound = (PERSON, "audio settings not read")
    creds = sorted({d.ip for d in site.devices for f in d.findings if f.kind is FindingKind.CREDENTIAL})
    access = (EVIDENCED, f"default credentials accepted on {', '.join(creds)}") if creds else (PERSON, "-")
    return [
        _row("", "a privacy impact assessment before the cameras are installed", PERSON),
        _row("", "signs tell people about the cameras, who runs them and how to reach them", PERSON),
        _row("", "no sound recording unless necessary; tell people if it is on", *sound),
        _row(
            "", "collect the least personal information needed", PERSON, "enabled capabilities in section 2"
        ),
        _row("", "storage secure, retention limited, access controlled", *access),
        _row("", "people can ask for footage of themselves (IPP 6)", PERSON),
        _row("", "regular audit and evaluation", PERSON, "this audit is one input"),
    ]


def site_view(site: SiteEvidence, policy: PolicyReport | None = None) -> dict[str, Any]:
    devices = [
        {
            "ip": d.ip,
            "brand": display(d.brand) if d.brand else None,
            "maker": display(d.manufacturer) if d.manufacturer else None,
            "model": d.model,
            "firmware": d.firmware,
            "type": display_type(d.device_type) if d.device_type else None,
            "who": who(d),
        }
        for d in site.devices
    ]
    return {
        "name": site.name,
        "devices": devices,
        "enabled": _capability_rows(site.caps, "enabled"),
        "unknown": _capability_rows(site.caps, "unknown"),
        "unread": [c.device.ip for c in site.caps if not c.read],
        "egress": _egress(site.devices),
        "vendors": _vendors(site.devices, policy),
        "code": code_checklist(site),
        "nz": nz_checklist(site),
    }


def group_sites(
    caps: Sequence[DeviceCapabilities],
    config: Config,
    contexts: Mapping[str, Context] | None = None,
    owners: Mapping[str, str] | None = None,
) -> list[SiteEvidence]:
    """Devices by site: the register's annotation first, else the config's networks."""
    named: dict[str, list[DeviceCapabilities]] = {}
    for c in caps:
        context = (contexts or {}).get(c.device.key)
        site = (context.site if context else None) or next(
            (s.name for ip in c.device.ips if (s := config.site_of(ip))), NO_SITE
        )
        named.setdefault(site, []).append(c)
    return [
        SiteEvidence(name, tuple(c.device for c in group), tuple(group), dict(owners or {}))
        for name, group in sorted(named.items())
    ]


def render(
    site: SiteEvidence,
    *,
    policy: PolicyReport | None = None,
    audit: str | None = None,
    today: dt.date | None = None,
) -> str:
    """The draft for one site, as Markdown."""
    template = _ENV.get_template("dpia.md")
    return template.render(
        site=site_view(site, policy),
        version=__version__,
        generated=(today or dt.datetime.now(dt.UTC).date()).isoformat(),
        audit=audit,
        questions=[Trusted(q) for q in QUESTIONS],
        code_source=Trusted(CODE_SOURCE),
        nz_source=Trusted(NZ_SOURCE),
    )


def write(folder: Path, judgement: Judgement) -> list[Path]:
    """One Markdown draft per site of a judgement, named after the site; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for site in group_sites(judgement.capabilities, judgement.config, judgement.inputs.contexts):
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", site.name).strip("._") or "site"
        path = folder / f"dpia-{name}.md"
        text = render(site, policy=judgement.report, audit=judgement.inputs.audit_id)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
