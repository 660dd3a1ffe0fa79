"""Run the registered checks (`camaudit.assess.checks.CHECKS`) on devices; findings are attached to them.

devices ──▶ assess(devices, context) ──▶ the same devices, `findings` filled
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import replace

from camaudit.assess.checks import CHECKS
from camaudit.assess.framework import Check, Context, from_owner_reads, run_check, superseded
from camaudit.model import Device, Severity

DEVICE_CONCURRENCY = 32  # devices assessed at once; the Connector still bounds every connection
_SEVERITY_ORDER = {s: i for i, s in enumerate(Severity)}


async def assess_device(device: Device, context: Context, checks: Iterable[Check]) -> Device:
    """Run every enabled, applicable check on one device; later checks see earlier findings."""
    for check in checks:
        if check.enabled(context.options) and check.applies_to(device):
            found = await run_check(check, device, context)
            device = from_owner_reads(replace(device, findings=(*device.findings, *found)))
    kept = superseded(device.findings)
    ordered = sorted(kept, key=lambda f: (_SEVERITY_ORDER[f.severity], f.check_id))
    return replace(device, findings=tuple(ordered))


async def assess(
    devices: Sequence[Device], context: Context, checks: Sequence[Check] | None = None
) -> tuple[Device, ...]:
    """The devices, in the same order, with the findings of every registered check attached."""
    chosen = CHECKS if checks is None else checks
    gate = asyncio.Semaphore(DEVICE_CONCURRENCY)

    async def one(device: Device) -> Device:
        async with gate:
            return await assess_device(device, context, chosen)

    return tuple(await asyncio.gather(*(one(d) for d in devices)))
