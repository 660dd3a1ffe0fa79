"""Shared HTTP/1.x head syntax used by the HTTP and RTSP codecs."""

from __future__ import annotations

import pytest

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import http1


def test_parse_head_keeps_names_order_and_body_offset() -> None:
    data = b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nSERVER:  x y \t\r\ncseq: 2\r\n\r\nBODY"
    head = http1.parse_head(data, limit=1024)
    assert head.start_line == "RTSP/1.0 200 OK"
    assert head.headers == (("CSeq", "1"), ("SERVER", "x y"), ("cseq", "2"))
    assert data[head.body_start :] == b"BODY"
    assert http1.header_of(head.headers, "CSEQ") == "1"
    assert http1.headers_of(head.headers, "cseq") == ["1", "2"]
    assert http1.header_of(head.headers, "missing") is None


def test_find_head_end_needs_more_then_caps() -> None:
    assert http1.find_head_end(b"HTTP/1.1 200 OK\r\n", 64) is None
    assert http1.find_head_end(b"HTTP/1.1 200 OK\n\r\nx", 64) == len(b"HTTP/1.1 200 OK\n\r\n")
    with pytest.raises(MessageTooLarge):
        http1.find_head_end(b"a" * 64, 64)
    assert http1.head_done(b"a" * 64, 64) and not http1.head_done(b"a" * 10, 64)


def test_status_and_request_lines() -> None:
    assert http1.parse_status_line("HTTP/1.0 404 Not Found", "HTTP") == http1.StatusLine(
        "HTTP", "HTTP/1.0", 404, "Not Found"
    )
    assert http1.parse_request_line("DESCRIBE rtsp://h/a RTSP/1.0", "RTSP") == http1.RequestLine(
        "DESCRIBE", "rtsp://h/a", "RTSP", "RTSP/1.0"
    )
    for line, proto in (
        ("HTTP/1.1 200 OK", "RTSP"),
        ("HTTP/1.1 20x OK", "HTTP"),
        ("HTTP/\u0661.1 200", "HTTP"),
    ):
        with pytest.raises(ProtocolError):
            http1.parse_status_line(line, proto)
    for line in ("GET /a HTTP/1.1", "G(T / RTSP/1.0", "GET  / RTSP/1.0"):
        with pytest.raises(ProtocolError):
            http1.parse_request_line(line, "RTSP")


@pytest.mark.parametrize(
    ("values", "length"), [((), None), (("0",), 0), (("12", " 12 "), 12), (("5, 5",), 5)]
)
def test_content_length(values: tuple[str, ...], length: int | None) -> None:
    assert http1.content_length(tuple(("Content-Length", v) for v in values)) == length


@pytest.mark.parametrize("value", ["", "1 2", "+1", "0x10", "1" * 16, "\u0661", "1, 2"])
def test_content_length_rejects(value: str) -> None:
    with pytest.raises(ProtocolError):
        http1.content_length((("content-length", value),))


def test_merge_and_encode() -> None:
    merged = http1.merge_fields([("Host", "a"), ("Accept", "*/*")], [("accept", "x")])
    assert merged == [("Host", "a"), ("accept", "x")]
    assert http1.encode_head("X / RTSP/1.0", merged) == b"X / RTSP/1.0\r\nHost: a\r\naccept: x\r\n\r\n"
    with pytest.raises(http1.HeaderInjection):
        http1.encode_head("X", [("A", "\u20ac")])
    for bad in (" lead", "trail ", "a\rb", "a\x7fb"):
        with pytest.raises(http1.HeaderInjection):
            http1.check_text("v", bad)
