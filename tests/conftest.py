"""Shared fixtures: the emulated lab, started once per session on a random loopback /24.

The lab runs its own event loop in a background thread, so sync tests and async tests (any loop
scope) can both talk to it; `lab.requests` is the request log of every device.
"""

from __future__ import annotations

import asyncio
import errno
import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from camaudit.errors import LabError
from camaudit.lab.runner import Lab

START_TIMEOUT = 60.0


class LabThread:
    """Runs a `Lab` on a private event loop in a daemon thread."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="camaudit-lab", daemon=True)

    def _run(self) -> None:
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        try:
            await self.lab.start()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        await self._stop.wait()
        await self.lab.stop()

    def start(self) -> Lab:
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            raise LabError("the lab did not start in time")
        if self._error is not None:
            self._thread.join()
            raise self._error
        return self.lab

    def stop(self) -> None:
        if self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


def _in_use(exc: LabError) -> bool:
    cause = exc.__cause__
    return isinstance(cause, OSError) and cause.errno in (errno.EADDRINUSE, errno.EACCES)


def start_lab(**options: Any) -> LabThread:
    """Start a lab on a random 127.<64..250>.<0..255>.0/24, retrying when another run holds it."""
    for _ in range(8):
        network = f"127.{random.randint(64, 250)}.{random.randint(0, 255)}.0/24"
        runner = LabThread(Lab(network=network, **options))
        try:
            runner.start()
        except LabError as exc:
            if not _in_use(exc):
                raise
            continue
        return runner
    raise LabError("no free loopback /24 for the lab after 8 tries")


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    """The whole lab (every profile), running for the test session."""
    runner = start_lab()
    try:
        yield runner.lab
    finally:
        runner.stop()


@pytest.fixture(scope="session")
def lab_manifest(lab: Lab) -> list[dict[str, Any]]:
    """The running lab's manifest: profile, address, mac, ports, expected."""
    return lab.manifest()
