"""CVE-2017-7925 verification: HEAD only; the user database never crosses the wire."""

from __future__ import annotations

from typing import Any

import pytest
from tests.assess.verify.conftest import reply

from camaudit.assess.verify import Outcome
from camaudit.assess.verify.dahua_cve_2017_7925 import CONTROL, DATABASE, VERIFICATION

DB = b"admin:6QNMIQGe:1:1:\n"  # shaped like the PoC's output; must never be read or kept


@pytest.mark.asyncio
async def test_exposed_database_is_confirmed_by_head_alone(web: Any) -> None:
    dev = await web({DATABASE: reply(200, DB, "text/plain")})
    result = await VERIFICATION.run(*dev.context("dahua"))
    assert result.outcome is Outcome.CONFIRMED
    assert dev.requests == [f"HEAD {CONTROL} HTTP/1.1", f"HEAD {DATABASE} HTTP/1.1"]
    assert result.evidence[1].value == f"HEAD {DATABASE} -> 200, {len(DB)} bytes"
    assert "6QNMIQGe" not in repr(result)


@pytest.mark.asyncio
async def test_refused_database_is_not_confirmed(web: Any) -> None:
    dev = await web({DATABASE: reply(401)})
    assert (await VERIFICATION.run(*dev.context("dahua"))).outcome is Outcome.NOT_CONFIRMED


@pytest.mark.asyncio
async def test_a_catch_all_server_proves_nothing(web: Any) -> None:
    dev = await web({}, default=reply(200, b"ok"))
    result = await VERIFICATION.run(*dev.context("dahua"))
    assert result.outcome is Outcome.UNDETERMINED and len(dev.requests) == 1
