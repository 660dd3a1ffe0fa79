"""CVE-2017-7925: the Dahua user database is served without authentication.

ICSA-17-124-02 / mcw0 PoC: affected firmware serves ``/current_config/passwd`` to anyone. The PoC
downloads it (credential theft); we send a HEAD (RFC 9110 §9.3.2: the server sends no body), so the file
never crosses the wire — devices.md §7.2's recommendation. A first HEAD of a path no device serves must
be refused (otherwise the server answers 200 to everything and a 200 proves nothing). Confirmed only
when the database path answers 200 while the control path is refused; only status and the announced
length are kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from camaudit.assess.verify._base import Outcome, Seen, Verification, VerifyResult, control_then_probe
from camaudit.model import Device

if TYPE_CHECKING:
    from camaudit.assess.framework import Context

ID = "dahua-cve-2017-7925-config-exposed"
CONTROL = "/current_config/camaudit-control-0"
DATABASE = "/current_config/passwd"
REFUSED = frozenset({401, 403, 404})


def _decide(control: Seen, probe: Seen | None) -> tuple[Outcome, str]:
    if control.status is None:
        return Outcome.UNDETERMINED, f"no answer to the control request ({control.failure})"
    if control.status not in REFUSED:
        return (
            Outcome.UNDETERMINED,
            f"a path no device serves answered {control.status}: nothing can be proven",
        )
    assert probe is not None
    if probe.status == 200:
        return Outcome.CONFIRMED, "the user database path answered 200 without authentication"
    if probe.status in REFUSED:
        return Outcome.NOT_CONFIRMED, f"the user database path was refused (status {probe.status})"
    return Outcome.UNDETERMINED, f"unexpected answer ({probe.describe()})"


async def run(device: Device, context: Context) -> VerifyResult:
    return await control_then_probe(
        ID, device, context, control=CONTROL, proof=DATABASE, refused=REFUSED, decide=_decide, head=True
    )


VERIFICATION = Verification(
    id=ID,
    cves=("CVE-2017-7925",),
    manufacturers=frozenset({"dahua"}),
    sends=(f"HEAD {CONTROL} (control)", f"HEAD {DATABASE} (no body is sent back)"),
    run=run,
)
