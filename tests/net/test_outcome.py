"""Errors as data: socket exceptions become a status and a short reason."""

from __future__ import annotations

import errno
import time

from camaudit.model import ProbeStatus, Transport
from camaudit.net.outcome import Outcome, attempt, classify


def test_classify_maps_errors() -> None:
    assert classify(OSError(errno.EHOSTUNREACH, "No route"), phase="connect", seconds=1)[0] is (
        ProbeStatus.UNREACHABLE
    )
    assert classify(OSError(errno.ENETUNREACH, "x"), phase="connect", seconds=1)[0] is ProbeStatus.UNREACHABLE
    assert classify(TimeoutError(), phase="connect", seconds=3)[1] == "connect timed out after 3s"
    assert classify(ValueError("odd"), phase="read", seconds=1) == (ProbeStatus.ERROR, "ValueError: odd")


def test_an_attempt_records_status_reason_bytes_and_duration() -> None:
    out = Outcome(data=b"abc", status=ProbeStatus.TOO_LARGE, reason="more than 3 bytes", connected=True)
    record = attempt("http", "127.0.0.1", 80, Transport.TCP, out, time.monotonic() - 0.01)
    assert (record.status, record.error_reason, record.bytes_read) == (
        ProbeStatus.TOO_LARGE,
        "more than 3 bytes",
        3,
    )
    assert record.duration_ms >= 10 and not out.silent
    assert Outcome(status=ProbeStatus.TIMEOUT, connected=True).silent
