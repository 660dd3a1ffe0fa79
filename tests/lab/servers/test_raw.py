"""Hostile devices behave as designed: slowloris never answers, the huge banner really is 10 MB."""

from __future__ import annotations

import socket

from tests.lab.clients import exchange, udp_ask

from camaudit.lab.runner import Lab
from camaudit.protocols import http, sadp, wsdiscovery

TEN_MB = 10 * 1024 * 1024


def test_slowloris_accepts_and_never_answers(lab: Lab) -> None:
    address = lab.addresses["hostile-slowloris"]
    for port in (80, 554):
        with socket.create_connection((address, port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.settimeout(1.0)
            try:
                data = sock.recv(1)
            except TimeoutError:
                data = None
        assert data is None, f"slowloris answered on {port}"


def test_huge_banner_sends_ten_megabytes_on_connect(lab: Lab) -> None:
    address = lab.addresses["hostile-huge-banner"]
    for port in (554, 8000):
        with socket.create_connection((address, port), timeout=10) as sock:
            total = 0
            while chunk := sock.recv(1 << 20):
                total += len(chunk)
        assert total == TEN_MB


def test_huge_banner_http_body_is_ten_megabytes(lab: Lab) -> None:
    address = lab.addresses["hostile-huge-banner"]
    data = exchange(address, 80, http.build_request("GET", address, "/"), cap=TEN_MB + 4096)
    head, _, body = data.partition(b"\r\n\r\n")
    assert len(body) == TEN_MB
    assert b"Content-Length: 10485760" in head


def test_script_strings_come_back_verbatim(lab: Lab) -> None:
    address = lab.addresses["hostile-script"]
    reply = sadp.parse_reply(udp_ask(address, 37020, sadp.build_inquiry()))
    assert reply.model == "<script>alert(1)</script>"
    response = http.parse_response(exchange(address, 80, http.build_request("GET", address, "/")))
    assert http.extract_title(response.body) == "<script>alert(1)</script>"


def test_bad_xml_replies_are_malformed(lab: Lab) -> None:
    import pytest

    from camaudit.errors import ProtocolError

    address = lab.addresses["hostile-bad-xml"]
    with pytest.raises(ProtocolError):
        sadp.parse_reply(udp_ask(address, 37020, sadp.build_inquiry()))
    with pytest.raises(ProtocolError):
        wsdiscovery.parse_probe_matches(udp_ask(address, 3702, wsdiscovery.build_probe()))


def test_liar_answers_200_everywhere_and_echoes_headers(lab: Lab) -> None:
    address = lab.addresses["liar"]
    request = http.build_request("GET", address, "/random-canary-8c1f", headers=[("X-Canary", "tweet")])
    response = http.parse_response(exchange(address, 80, request))
    assert response.status == 200
    assert response.header("x-canary") == "tweet"
