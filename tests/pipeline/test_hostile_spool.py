"""A spool folder holding files `Reporter` did not write: the sender read each ``NNN-….json`` whole and
trusted its shape, so a FIFO hung it, a link to ``/dev/zero`` filled memory, a file that was no message
stopped it for good (every message after it stayed unsent, run after run), and a name such as ``²-1.json``
(a digit to `str.isdigit`, not to `int`) made `camaudit spool` end in a traceback. Such files are now set
aside in ``rejected/`` and the real messages after them still go."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from camaudit.pipeline.central import Reporter


class _Central(BaseHTTPRequestHandler):
    received: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.received.append(self.path)
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_args: object) -> None:
        pass


Central = tuple[str, list[str]]  # the server's URL, the paths posted to it


@pytest.fixture
def central() -> Iterator[Central]:
    received: list[str] = []
    handler = type("Central", (_Central,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


HOSTILE = {
    "not JSON": lambda p: p.write_text("{half a message", encoding="utf-8"),
    "a JSON list": lambda p: p.write_text("[1, 2]", encoding="utf-8"),
    "no path": lambda p: p.write_text(json.dumps({"body": {}}), encoding="utf-8"),
    "a body that is no object": lambda p: p.write_text('{"path": "audits", "body": 5}', encoding="utf-8"),
    "deeply nested": lambda p: p.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8"),
    "a FIFO": _fifo,
    "a link to /dev/zero": _zero,
}


def _good(spool: Path, number: int) -> None:
    message = {"path": f"audits/{'a' * 32}/hosts", "body": {"ip": "127.0.0.1"}}
    (spool / f"{number:012d}-1.json").write_text(json.dumps(message), encoding="utf-8")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("make", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_spooled_file_is_set_aside_and_the_rest_is_sent(
    tmp_path: Path, central: Central, make: object
) -> None:
    url, received = central
    spool = tmp_path / "spool"
    spool.mkdir()
    make(spool / f"{1:012d}-1.json")  # type: ignore[operator]
    _good(spool, 2)
    reporter = Reporter(url, "HQ", "cat_test", spool, timeout=5)
    left = reporter.close(wait=15)
    assert left == 0
    assert received == [f"/api/sites/HQ/audits/{'a' * 32}/hosts"]
    aside = spool / "rejected" / f"{1:012d}-1.json"
    assert aside.exists() or aside.is_symlink()
    assert reporter.stats.rejected == 1


@pytest.mark.timeout(60)
def test_a_spooled_name_that_is_no_number_is_left_alone(tmp_path: Path, central: Central) -> None:
    url, received = central
    spool = tmp_path / "spool"
    spool.mkdir()
    (spool / "\u00b2-1.json").write_text("{}", encoding="utf-8")  # '²'.isdigit() is True, int('²') fails
    _good(spool, 7)
    reporter = Reporter(url, "HQ", "cat_test", spool, timeout=5)
    assert reporter.close(wait=15) == 0
    assert len(received) == 1
    reporter = Reporter(url, "HQ", "cat_test", spool, timeout=5)  # numbering goes on after the real ones
    reporter.host("a" * 32, "127.0.0.1", [], [], [])
    reporter.close(wait=15)
    assert len(received) == 2
