"""The HTTP helpers: the Host value (RFC 9110 §7.2), completion, and a parse that never raises."""

from __future__ import annotations

from camaudit.net.web import authority, parse, response_done


def test_host_value_brackets_ipv6_and_drops_the_default_port() -> None:
    assert authority("127.0.0.1", 80, tls=False) == "127.0.0.1"
    assert authority("127.0.0.1", 443, tls=True) == "127.0.0.1"
    assert authority("::1", 8080, tls=False) == "[::1]:8080"


def test_completion_and_parse_speak_plain_http() -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    assert response_done("GET")(reply) and not response_done("GET")(reply[:-1])
    parsed = parse(reply, "GET")
    assert not isinstance(parsed, str) and parsed.status == 200
    assert parse(b"", "GET") == "no reply"
    assert str(parse(b"SSH-2.0-x\r\n\r\n", "GET")).startswith("not an HTTP response")
