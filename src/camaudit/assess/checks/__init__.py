"""Check families, registered here (STYLE.md R2/R8, like `camaudit.sources.probes.PROBES`).

Each module exposes ``CHECK`` (an object satisfying `camaudit.assess.Check`) and is listed once in
`CHECKS`. A guard test (tests/assess/checks/test_registry.py) fails when a module in this folder is
missing from the tuple. Order: checks that read the device (authenticated audit) before those that may
use what they found; the CVE check before exposure only for a stable report order.
"""

from __future__ import annotations

from camaudit.assess.checks import authenticated, cves, default_credentials, exposure
from camaudit.assess.framework import Check

CHECKS: tuple[Check, ...] = (
    authenticated.CHECK,
    default_credentials.CHECK,
    cves.CHECK,
    exposure.CHECK,
)

__all__ = ["CHECKS"]
