"""A central URL that answers with a redirect (a hostile or misconfigured server, or anyone on the path of
a plain-http URL): urllib followed a 301/302/303 to another host with the site's write token in its
Authorization header, and counted the message as sent (deleted from the spool, never delivered); a
307/308 was counted as sent too. Redirects are now not followed and the message stays in the spool."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from camaudit.pipeline.central import Reporter

TOKEN = "cat_do-not-send-elsewhere"


def _server(address: str, handle: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer((address, 0), handle)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def elsewhere() -> Iterator[tuple[ThreadingHTTPServer, list[str]]]:
    heard: list[str] = []

    class Other(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            heard.append(self.headers.get("Authorization") or "")
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *_args: object) -> None:
            pass

    for server in _server("127.0.0.2", Other):
        yield server, heard


@pytest.mark.timeout(60)
@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed_and_the_message_is_kept(
    tmp_path: Path, elsewhere: tuple[ThreadingHTTPServer, list[str]], code: int
) -> None:
    other, heard = elsewhere
    target = f"http://127.0.0.2:{other.server_address[1]}/steal"

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(code)
            self.send_header("Location", target)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    for central in _server("127.0.0.1", Redirecting):
        reporter = Reporter(f"http://127.0.0.1:{central.server_address[1]}", "HQ", TOKEN, tmp_path, timeout=3)
        reporter.host("a" * 32, "127.0.0.1", [], [], [])
        left = reporter.close(wait=2)
        assert heard == []  # the token went nowhere else
        assert (left, reporter.stats.sent) == (1, 0)  # not delivered: kept for the next run
