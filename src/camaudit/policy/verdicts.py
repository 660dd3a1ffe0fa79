"""Policy packs -> per device and pack: `violates`, `complies` or `undetermined`, with the reason.

The tool evidences, it does not rule: a violation reads "possible non-compliance with <pack> (<source>),
check with counsel". A device is judged by its *true* manufacturer (a Lorex camera made by Dahua is
judged as Dahua and the finding says "sold as Lorex, made by Dahua"). Anything the decision needs but
nobody declared (the maker, the site's sensitivity or purpose, whether the pack binds the
organisation) makes the outcome `undetermined` and is listed as missing evidence, never assumed.
Shape after sslyze's Mozilla TLS checker: "not compliant (issues)" vs "scan incomplete".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from camaudit.config import Config, Site
from camaudit.data.load import load_knowledge, load_vocabulary
from camaudit.data.policies import Equipment, Pack, load_policy_vocab
from camaudit.model import Device, Finding, FindingKind, Severity
from camaudit.policy.obligations import Context, Facts, Outcome, Step, apply, worst


@dataclass(frozen=True, slots=True)
class Binding:
    """Whether a pack binds this organisation: True, False, or None (facts not declared)."""

    pack: Pack
    binds: bool | None
    reason: str
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Verdict:
    """One device judged against one pack."""

    pack: Pack
    device: Device
    outcome: Outcome
    reasons: tuple[str, ...]
    missing: tuple[str, ...] = ()
    who: str = ""
    site: str | None = None
    due: dt.date | None = None
    clock: Mapping[str, str] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    def finding(self) -> Finding:
        return Finding(
            check_id=f"policy-{self.pack.id.lower()}",
            kind=FindingKind.POLICY,
            severity=self.pack.severity if self.outcome is Outcome.VIOLATES else Severity.INFO,
            title=self.title(),
            remediation=_REMEDY.get(self.outcome, ""),
            references=self.pack.sources,
            verified=False,
            status=self.outcome.value,
            details=self.details(),
        )

    def title(self) -> str:
        cite = self.pack.sources[0]
        if self.outcome is Outcome.VIOLATES:
            return f"Possible non-compliance with {self.pack.name} ({cite}), check with counsel: {self.who}"
        if self.outcome is Outcome.UNDETERMINED:
            missing = ", ".join(self.missing)
            return f"Cannot tell whether {self.who} complies with {self.pack.name}: missing {missing}"
        return f"No conflict with {self.pack.name} found: {self.reason}"

    def details(self) -> dict[str, str]:
        out = {"pack": self.pack.id, "pack_name": self.pack.name, "outcome": self.outcome.value,
               "reason": self.reason}  # fmt: skip
        if self.missing:
            out["missing"] = "; ".join(self.missing)
        if self.site:
            out["site"] = self.site
        if self.due:
            out["due"] = self.due.isoformat()
        return {**out, **self.clock}


_REMEDY = {
    Outcome.VIOLATES: "Confirm the evidence, take legal advice, plan removal or replacement (camaudit plan).",
    Outcome.UNDETERMINED: "Declare the missing facts in camaudit.toml or the register, then re-run.",
}


@dataclass(frozen=True, slots=True)
class PolicyReport:
    bindings: tuple[Binding, ...]
    verdicts: tuple[Verdict, ...]

    def for_device(self, device: Device) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.device is device)


# --- who made it ---------------------------------------------------------------------------


def display(vocab_id: str | None) -> str:
    maker = load_vocabulary().manufacturers.get(vocab_id or "")
    return maker.name if maker else (vocab_id or "unknown")


def who(device: Device) -> str:
    """'sold as Lorex, made by Dahua' or 'made by Hikvision'."""
    made = f"made by {display(device.manufacturer)}" if device.manufacturer else "maker unknown"
    if device.brand and device.brand != device.manufacturer:
        return f"sold as {display(device.brand)}, {made}"
    return made


def members(pack: Pack) -> frozenset[str]:
    groups = load_policy_vocab().groups
    return frozenset(m for g in pack.vendors for m in groups[g].manufacturers)


def group_names(pack: Pack, maker: str | None = None) -> str:
    """The pack's vendor groups in words (those holding `maker`, when given): "Hikvision and its
    subsidiaries and affiliates", never the group's id."""
    groups = load_policy_vocab().groups
    chosen = [groups[g] for g in pack.vendors if maker is None or maker in groups[g].manufacturers]
    return "; ".join(g.name for g in chosen)


def membership(pack: Pack, device: Device) -> Step:
    """Is the device's true manufacturer in the pack's vendor groups?"""
    covered = members(pack)
    if device.manufacturer:
        if device.manufacturer in covered:
            return Step(Outcome.VIOLATES, f"{who(device)} ({group_names(pack, device.manufacturer)})")
        return Step(Outcome.COMPLIES, f"{who(device)}: not among {group_names(pack)}")
    return Step(Outcome.UNDETERMINED, _maker_hint(device, covered), ("true manufacturer",))


def _maker_hint(device: Device, covered: frozenset[str]) -> str:
    link = load_knowledge().oem.maker_of(device.brand or "")
    if link is not None and link.manufacturer in covered:
        return (
            f"labelled {display(device.brand)}, a brand reported to be made by {display(link.manufacturer)} "
            f"(confidence {link.confidence:.2f}, {link.source}); the device's own maker was not established"
        )
    if device.brand in covered:
        return f"labelled {display(device.brand)} but the true manufacturer was not established"
    return "the true manufacturer was not established"


# --- conditions ----------------------------------------------------------------------------


def equipment_step(pack: Pack, device: Device) -> Step | None:
    """None when in scope; a known non-camera type takes the device out of a surveillance pack."""
    if pack.equipment is Equipment.ANY or device.device_type is None:
        return None
    if load_vocabulary().is_camera_type(device.device_type):
        return None
    kind = display_type(device.device_type)
    if pack.vendors and device.manufacturer in members(pack):
        return Step(
            Outcome.UNDETERMINED,
            f"{who(device)} but identified as {kind}: check whether it is video surveillance equipment",
            ("equipment type",),
        )
    return Step(Outcome.COMPLIES, f"{kind}: not video surveillance equipment")


def display_type(type_id: str) -> str:
    entry = load_vocabulary().device_types.get(type_id)
    return entry.name.lower() if entry else type_id


def purpose_step(pack: Pack, site: Site | None, config: Config) -> Step | None:
    """The §889 purpose clause: covered only where used for one of the pack's purposes."""
    if not pack.purposes:
        return None
    declared = site.purposes if site and site.purposes is not None else config.purposes
    if declared is None:
        where = f"site {site.name}" if site else "this device's site"
        return Step(
            Outcome.UNDETERMINED,
            f"purpose of {where} not declared",
            (f"what the cameras of {where} are for",),
        )
    words = load_policy_vocab().purposes
    hit = sorted(set(declared) & set(pack.purposes))
    if hit:
        return Step(Outcome.VIOLATES, f"used for {', '.join(words.get(h, h) for h in hit)}")
    said = ", ".join(words.get(d, d) for d in declared)
    return Step(Outcome.COMPLIES, f"declared purposes ({said}) are outside the pack's purposes")


# --- binding and evaluation ----------------------------------------------------------------


def binding(pack: Pack, config: Config) -> Binding:
    """Does the pack bind this organisation? Undeclared facts give None, never a guess."""
    if pack.jurisdiction is not None:
        if not config.jurisdictions:
            return Binding(pack, None, "jurisdictions not declared", ("where the organisation operates",))
        if pack.jurisdiction not in config.places():
            return Binding(pack, False, f"{pack.jurisdiction} is not among {', '.join(config.jurisdictions)}")
    if not pack.binds_any:
        return Binding(pack, True, pack.binds_text)
    values = {fact: config.fact(fact) for fact in pack.binds_any}
    words = load_policy_vocab().facts
    if any(values.values()):
        held = [words.get(k, k) for k, v in values.items() if v]
        return Binding(pack, True, f"declared in camaudit.toml: {'; '.join(held)}")
    unknown = tuple(f"yes or no: {words.get(k, k)}" for k, v in values.items() if v is None)
    if unknown:
        return Binding(pack, None, "whether the pack binds the organisation is not declared", unknown)
    return Binding(
        pack, False, f"the organisation is none of: {'; '.join(words.get(k, k) for k in pack.binds_any)}"
    )


def judge(pack: Pack, facts: Facts, bound: Binding) -> Verdict:
    """Conditions first (maker, equipment type, purpose); a covered device then meets the requirements."""
    conditions: list[Step] = []
    for check in (_maker_step, _equipment, _purpose):
        step = check(pack, facts)
        if step is not None and step.outcome is Outcome.COMPLIES:
            return _verdict(pack, facts, step)  # cleared: not covered by this pack
        conditions += [step] if step is not None else []
    result = worst([apply(ob, facts) for ob in pack.requires])
    unknown = [s for s in conditions if s.outcome is Outcome.UNDETERMINED]
    missing = tuple(dict.fromkeys(m for s in (*unknown, result) for m in s.missing))
    outcome = result.outcome
    if unknown and outcome is Outcome.VIOLATES:  # covered only if the unknowns turn out so
        outcome = Outcome.UNDETERMINED
    if outcome is Outcome.VIOLATES and bound.binds is None:
        outcome, missing = Outcome.UNDETERMINED, (*missing, *bound.missing)
    reason = "; ".join([*(s.reason for s in conditions), result.reason])
    return _verdict(pack, facts, Step(outcome, reason, missing, result.due))


def _verdict(pack: Pack, facts: Facts, step: Step) -> Verdict:
    return Verdict(
        pack=pack,
        device=facts.device,
        outcome=step.outcome,
        reasons=(step.reason,),
        missing=step.missing,
        who=who(facts.device),
        site=facts.site.name if facts.site else None,
        due=step.due,
        clock=reporting_clock(pack, facts, step.outcome),
    )


def _maker_step(pack: Pack, facts: Facts) -> Step | None:
    return membership(pack, facts.device) if pack.vendors else None


def _equipment(pack: Pack, facts: Facts) -> Step | None:
    return equipment_step(pack, facts.device)


def _purpose(pack: Pack, facts: Facts) -> Step | None:
    return purpose_step(pack, facts.site, facts.config)


def evaluate(
    devices: Sequence[Device],
    packs: Sequence[Pack],
    config: Config,
    *,
    today: dt.date | None = None,
    contexts: Mapping[str, Context] | None = None,
    assessed: bool | None = None,
) -> PolicyReport:
    """Judge every device against every pack that binds (or may bind) the organisation.

    `contexts` is keyed by `Device.key`; `assessed` says whether vulnerability checks ran (default:
    any device carries a vulnerability finding).
    """
    day = today or dt.datetime.now(dt.UTC).date()
    ran = (
        assessed
        if assessed is not None
        else any(f.kind is FindingKind.VULNERABILITY for d in devices for f in d.findings)
    )
    bindings = tuple(binding(p, config) for p in packs)
    verdicts = []
    for bound in bindings:
        if bound.binds is False:
            continue
        for device in devices:
            facts = _facts(device, config, (contexts or {}).get(device.key, Context()), day, ran)
            verdicts.append(judge(bound.pack, facts, bound))
    return PolicyReport(bindings, tuple(verdicts))


def _facts(device: Device, config: Config, context: Context, today: dt.date, assessed: bool) -> Facts:
    site = config.site_named(context.site) if context.site else None
    if site is None and context.site:
        site = Site(context.site)  # annotated in the register but not declared: nothing known about it
    site = site or next((s for ip in device.ips if (s := config.site_of(ip))), None)
    return Facts(device, site, context, config, today, assessed)


# --- FAR 52.204-25(d) reporting clock ------------------------------------------------------


def add_business_days(start: dt.datetime, days: int) -> dt.datetime:
    """`days` business days after `start` (Mon-Fri; US federal holidays are not modelled)."""
    current = start
    left = days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def reporting_clock(pack: Pack, facts: Facts, outcome: Outcome) -> dict[str, str]:
    """Detection time and reporting deadlines for covered equipment, when the pack has a clock."""
    rule = pack.reporting
    if rule is None or outcome is not Outcome.VIOLATES or facts.config.fact(rule.applies_if) is not True:
        return {}
    detected = facts.context.first_seen
    if detected is None:
        return {"report_clock": "detection time unknown: record it in the register"}
    return {
        "first_detected": detected.isoformat(timespec="seconds"),
        "report_due": add_business_days(detected, rule.report_business_days).isoformat(timespec="seconds"),
        "mitigation_due": add_business_days(detected, rule.mitigation_business_days).isoformat(
            timespec="seconds"
        ),
        "report_clock_source": rule.source,
    }
