"""Safe active verifications: one module per verification, registered in `VERIFICATIONS`.

A verification confirms one flaw with read-only requests only (devices.md §7.2 class **R**: a fixed
GET/HEAD with no body whose answer proves the flaw), and never more than that:

- it sends only `ReadOnlyRequest`s through the `Connector` (`camaudit.net`) (a guard test refuses any module
  here that imports sockets, ssl, asyncio streams or an HTTP client);
- it reads a bounded reply (the Connector's byte cap), decides, and DISCARDS the body: the result keeps
  only the status code, the length and the *name* of the marker that matched — never a credential,
  configuration or user list;
- it runs only on devices the identification says it applies to (``applies_to``), and the CVE check calls
  it only for a CVE whose data names it in ``check``;
- a verification that would need to log in, POST, PUT or execute anything is not written: that CVE's
  finding stays version-based.
"""

from __future__ import annotations

from camaudit.assess.verify import dahua_cve_2017_7925, hikvision_cve_2017_7921
from camaudit.assess.verify._base import Outcome, Verification, VerifyResult

VERIFICATIONS: tuple[Verification, ...] = (
    hikvision_cve_2017_7921.VERIFICATION,
    dahua_cve_2017_7925.VERIFICATION,
)


def by_id(verification_id: str) -> Verification | None:
    return next((v for v in VERIFICATIONS if v.id == verification_id), None)


__all__ = ["VERIFICATIONS", "Outcome", "Verification", "VerifyResult", "by_id"]
