"""Everything policy concludes from its inputs, in one value: verdicts, the removal plan, capabilities.

Policy never reads the register or a file itself: it is given `Inputs` (devices and what the register
knows about them), the organisation's `Config` and the packs, and returns a `Judgement`. The commands,
the report and the register's stored verdicts all come from the same one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from camaudit.config import Config
from camaudit.data.policies import Pack
from camaudit.policy.inputs import Inputs
from camaudit.policy.plan import Plan, build_plan
from camaudit.policy.privacy import DeviceCapabilities, survey
from camaudit.policy.verdicts import PolicyReport, evaluate


@dataclass(frozen=True, slots=True)
class Judgement:
    """The inputs judged, how, and what came of it."""

    inputs: Inputs
    config: Config
    packs: tuple[Pack, ...]
    report: PolicyReport
    plan: Plan
    capabilities: tuple[DeviceCapabilities, ...]


def judge(
    inputs: Inputs,
    config: Config,
    packs: Sequence[Pack],
    *,
    today: dt.date | None = None,
    sites: Sequence[str] = (),
) -> Judgement:
    """Every device against every pack (as of `today`), the plan (only `sites`, when given), privacy."""
    day = today or dt.datetime.now(dt.UTC).date()
    report = evaluate(inputs.devices, packs, config, contexts=inputs.contexts, today=day)
    plan = build_plan(inputs.tracked, report, today=day, sites=sites, history=inputs.history)
    capabilities = survey(inputs.devices, inputs.observations)
    return Judgement(inputs, config, tuple(packs), report, plan, capabilities)
