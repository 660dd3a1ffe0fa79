"""Report a site's audit to a central register as it runs (`camaudit scan --report-to URL --site S`).

Every message (the audit's start, each host as it completes, the finish) is first written to a local spool
directory, then a background thread sends the spool in order and deletes what the server accepted. When
the server is unreachable the spool keeps everything and is sent later (the next message, the next run):
the server is idempotent per audit and host, so a message sent twice after a lost reply is harmless.

Nothing secret leaves the site: the payloads are the model's codec of observations, failed attempts and
devices (which hold no credential by design), and the audit's options pass `store.writer.public_options`.
The token goes only in the Authorization header, never in a file the spool keeps.
"""

from __future__ import annotations

import json
import os
import re
import stat
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from camaudit.errors import InputError
from camaudit.files import TooLarge, read_capped
from camaudit.model import Audit, Device, Observation, ProbeAttempt, to_dict
from camaudit.store.writer import public_options

TIMEOUT = 10.0
BACKOFF = (0.2, 0.5, 1.0, 2.0, 5.0)  # seconds between tries while the server is away
MAX_TOKEN_FILE = 4096
MAX_MESSAGE = 16 << 20  # bytes of one spooled message read at most (the server takes 8 MiB bodies)
_SPOOLED = re.compile(r"^([0-9]{1,18})-[0-9A-Za-z_.-]*\.json\Z")  # NNNNNNNNNNNN-PID.json, as `_put` names


class ReportError(InputError):
    """The central server's address or the token file is unusable."""


def read_token(path: str) -> str:
    try:
        with open(path, "rb") as stream:
            text = stream.read(MAX_TOKEN_FILE).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"cannot read the token file {path}: {exc}") from None
    token = (text.splitlines() or [""])[0].strip()
    if not token or not token.isprintable() or " " in token:
        raise ReportError(f"{path}: the first line must be the token")
    return token


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ReportError(f"--report-to needs an http(s) URL, not {url!r}")
    return url.rstrip("/")


@dataclass
class Stats:
    sent: int = 0
    retries: int = 0
    rejected: int = 0
    latencies: list[float] | None = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed: urllib sent the token on to wherever a 301/302/303 pointed (another
    host included), and counted a 307/308 as delivered though nothing was."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


_OPENER = urllib.request.build_opener(_NoRedirect)


class Reporter:
    """Spools and sends one site's results. Use as a context manager; `close` waits for the spool."""

    def __init__(self, url: str, site: str, token: str, spool: str | Path, timeout: float = TIMEOUT) -> None:
        self.base = f"{check_url(url)}/api/sites/{quote(site, safe='')}"
        self.site, self._token, self.timeout = site, token, timeout
        self.spool = Path(spool)
        (self.spool / "rejected").mkdir(parents=True, exist_ok=True)
        self.stats = Stats(latencies=[])
        self._seq = max((_number(p) for p in self._pending()), default=0)
        self._wake = threading.Event()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="camaudit-report", daemon=True)
        self._thread.start()

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- what the scan calls -----------------------------------------------------------------

    def begin(self, audit: Audit) -> None:
        public = replace(audit, options=public_options(audit.options))
        self._put("audits", {"audit": to_dict(public)})

    def host(
        self,
        audit_id: str,
        ip: str,
        observations: Sequence[Observation],
        attempts: Sequence[ProbeAttempt],
        devices: Sequence[Device],
    ) -> None:
        body = {
            "ip": ip,
            "observations": [to_dict(o) for o in observations],
            "attempts": [to_dict(a) for a in attempts],
            "devices": [to_dict(d) for d in devices],
        }
        self._put(f"audits/{audit_id}/hosts", body)

    def finish(self, audit: Audit, devices: Sequence[Device]) -> None:
        finished = (audit.finished or audit.started).isoformat()
        self._put(
            f"audits/{audit.id}/finish", {"devices": [to_dict(d) for d in devices], "finished": finished}
        )

    def pending(self) -> int:
        return len(self._pending())

    def close(self, wait: float = 30.0) -> int:
        """Wait up to `wait` seconds for the spool to empty; returns how many messages remain in it."""
        deadline = time.monotonic() + wait
        while self.pending() and time.monotonic() < deadline:
            self._wake.set()
            time.sleep(0.05)
        self._stop = True
        self._wake.set()
        self._thread.join(timeout=self.timeout + 1)
        return self.pending()

    # --- the spool ---------------------------------------------------------------------------

    def _pending(self) -> list[Path]:
        return sorted(p for p in self.spool.glob("*.json") if _SPOOLED.match(p.name))

    def _put(self, path: str, body: dict[str, Any]) -> None:
        self._seq += 1
        name = f"{self._seq:012d}-{os.getpid()}.json"
        tmp = self.spool / f".{name}.tmp"
        tmp.write_text(json.dumps({"path": path, "body": body}), encoding="utf-8")
        tmp.replace(self.spool / name)  # atomic: a killed scan leaves whole messages only
        self._wake.set()

    def _run(self) -> None:
        tries = 0
        while not self._stop:
            sent_all = self._drain()
            if sent_all:
                tries = 0
                self._wake.wait(1.0)
            else:
                self._wake.wait(BACKOFF[min(tries, len(BACKOFF) - 1)])
                tries += 1
                self.stats.retries += 1
            self._wake.clear()

    def _drain(self) -> bool:
        """Send the spool in order; False when the server could not be reached (try again later)."""
        for item in self._pending():
            if self._stop and not item.exists():
                return True
            message = _message(item)
            if message is None:  # not one `_put` wrote: kept aside, the messages after it still go
                self._set_aside(item)
                continue
            status = self._post(*message)
            if status is not None and 400 <= status < 500 and status not in (408, 429):
                self._set_aside(item)  # refused for good (bad token, another site's audit): not lost
                continue
            if status is None or not 200 <= status < 300:  # away, busy, or redirecting: kept to try again
                return False
            item.unlink()
            self.stats.sent += 1
        return True

    def _set_aside(self, item: Path) -> None:
        try:
            item.replace(self.spool / "rejected" / item.name)
        except OSError:
            item.unlink(missing_ok=True)
        self.stats.rejected += 1

    def _post(self, path: str, body: dict[str, Any]) -> int | None:
        data = json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self._token}"}
        url = f"{self.base}/{path}"
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
        started = time.monotonic()
        try:
            with _OPENER.open(request, timeout=self.timeout) as reply:  # http(s) only (check_url)
                reply.read(65536)
                status = int(reply.status)
        except urllib.error.HTTPError as exc:
            status = int(exc.code)
        except (OSError, urllib.error.URLError):
            return None
        if self.stats.latencies is not None and len(self.stats.latencies) < 1_000_000:
            self.stats.latencies.append(time.monotonic() - started)
        return status


def _number(item: Path) -> int:
    found = _SPOOLED.match(item.name)
    return int(found.group(1)) if found else 0


def _message(item: Path) -> tuple[str, dict[str, Any]] | None:
    """(API path, body) of a spooled message, or None for a file that is not one: a FIFO or a device
    (reading it hung the sender, or filled memory from ``/dev/zero``), more than `MAX_MESSAGE` bytes,
    or not the JSON object `Reporter._put` writes (which stopped the sender for good)."""
    try:
        if not stat.S_ISREG(item.stat().st_mode):
            return None
        message = json.loads(read_capped(item, MAX_MESSAGE, what="spooled message"))
    except (OSError, TooLarge, ValueError, RecursionError):
        return None
    if not isinstance(message, dict):
        return None
    path, body = message.get("path"), message.get("body")
    if not isinstance(path, str) or not isinstance(body, dict):
        return None
    return path, body
