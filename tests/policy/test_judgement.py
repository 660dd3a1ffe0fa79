"""One judgement from the inputs: verdicts, the plan (per site when asked) and capabilities agree."""

from __future__ import annotations

import datetime as dt

from camaudit.config import parse_config
from camaudit.model import Device
from camaudit.policy.inputs import Inputs, load_context
from camaudit.policy.judgement import judge
from camaudit.policy.obligations import Outcome
from camaudit.policy.plan import Tracked

ORGANISATION = """\
[organisation]
jurisdictions = ["US"]
federal_contractor = true
purposes = ["government_facility_security"]
"""
HIK = Device(ips=("127.0.0.1",), manufacturer="hikvision", device_type="ip_camera")
AXIS = Device(ips=("127.0.0.2",), manufacturer="axis", device_type="ip_camera")


def test_verdicts_plan_and_capabilities_come_from_the_same_inputs() -> None:
    inputs = Inputs((HIK, AXIS), {}, (Tracked(HIK), Tracked(AXIS)))
    _, packs = load_context(None, ("US-NDAA-889",), ())
    judged = judge(inputs, parse_config(ORGANISATION, "camaudit.toml"), packs, today=dt.date(2027, 1, 1))
    outcomes = {v.device.ip: v.outcome for v in judged.report.verdicts}
    assert outcomes == {"127.0.0.1": Outcome.VIOLATES, "127.0.0.2": Outcome.COMPLIES}
    assert [i.ip for i in judged.plan.items] == ["127.0.0.1"]
    assert [c.device for c in judged.capabilities] == [HIK, AXIS] and judged.packs == tuple(packs)
    elsewhere = judge(inputs, judged.config, packs, today=dt.date(2027, 1, 1), sites=("nowhere",))
    assert elsewhere.plan.items == ()
