"""Errors as data: how one exchange went, and the `ProbeAttempt` that records it.

Every failure (timeout, refused, reset, too_large, malformed, unreachable, error) becomes a status and a
short reason; an exception from a device never escapes the Connector.
"""

from __future__ import annotations

import asyncio
import errno
import ssl
import time
from dataclasses import dataclass

from camaudit.model import ProbeAttempt, ProbeStatus, Transport

_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.EADDRNOTAVAIL}


@dataclass(slots=True)
class Outcome:
    """What one exchange produced so far (filled in as it goes)."""

    data: bytes = b""
    status: ProbeStatus = ProbeStatus.OK
    reason: str | None = None
    cert: bytes | None = None
    connected: bool = False

    @property
    def silent(self) -> bool:
        """Accepted the connection, then said nothing until the read timeout (a tarpit or a hung service)."""
        return self.connected and not self.data and self.status is ProbeStatus.TIMEOUT

    def fail(self, status: ProbeStatus, reason: str) -> None:
        self.status, self.reason = status, reason


def classify(exc: BaseException, *, phase: str, seconds: float) -> tuple[ProbeStatus, str]:
    """Map an exception from a socket operation to a ProbeAttempt status and a short reason."""
    if isinstance(exc, TimeoutError):
        return ProbeStatus.TIMEOUT, f"{phase} timed out after {seconds:g}s"
    if isinstance(exc, ConnectionRefusedError):
        return ProbeStatus.REFUSED, "connection refused"
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return ProbeStatus.RESET, f"connection reset during {phase}"
    if isinstance(exc, asyncio.IncompleteReadError):
        return ProbeStatus.RESET, f"connection closed during {phase}"
    if isinstance(exc, ssl.SSLError):
        return ProbeStatus.MALFORMED, f"TLS handshake failed: {exc.reason or exc}"[:200]
    if isinstance(exc, OSError) and exc.errno in _UNREACHABLE:
        return ProbeStatus.UNREACHABLE, exc.strerror or "unreachable"
    return ProbeStatus.ERROR, f"{type(exc).__name__}: {exc}"[:200]


def attempt(probe: str, ip: str, port: int, transport: Transport, out: Outcome, start: float) -> ProbeAttempt:
    """The record of one exchange that started at `start` (monotonic seconds)."""
    return ProbeAttempt(
        probe=probe,
        ip=ip,
        port=port,
        transport=transport,
        status=out.status,
        error_reason=out.reason,
        bytes_read=len(out.data),
        duration_ms=round((time.monotonic() - start) * 1000, 3),
    )
