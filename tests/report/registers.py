"""A register holding two real audits of the session lab, for the report tests.

Audit 1 covers every lab device; then a person annotates the Lorex camera; audit 2 covers every device
but the Axis camera's address (so "changed since the previous audit" has a device not re-audited; a
device gone from inside the later scope is tested in tests/cli/test_diff.py).
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from camaudit.assess.framework import AssessOptions
from camaudit.lab.runner import Lab
from camaudit.net.limits import Limits
from camaudit.pipeline.scan import run_scan
from camaudit.scope import Scope
from camaudit.store import Reader, Register

REMOVED = "axis-camera"
ANNOTATED = "lorex-ipc"
FAST = Limits(rate=2000.0, connect_timeout=1.5, read_timeout=1.5)


def _audit(register: Register, addresses: list[str]) -> str:
    scope = Scope(tuple(addresses))
    coroutine = run_scan(scope, FAST, register=register, assessment=AssessOptions(verify=False))
    return asyncio.run(coroutine).audit.id


def two_audits(lab: Lab, db: Path) -> tuple[str, str]:
    by_profile = {e["profile"]: e["address"] for e in lab.manifest()}
    with Register(db) as register:
        first = _audit(register, list(by_profile.values()))
        with Reader(db) as reader:
            lorex = reader.device_id(by_profile[ANNOTATED])
        register.annotate(lorex, site="HQ", location="car park", status="to_replace", due=date(2027, 3, 31))
        second = _audit(register, [a for p, a in by_profile.items() if p != REMOVED])
    return first, second
