"""Hostile devices behave as designed: slowloris never answers, the huge banner really is 10 MB."""

from __future__ import annotations

import socket
import time
import tracemalloc
from collections.abc import Iterator

import pytest
from tests.conftest import start_lab
from tests.lab.clients import exchange, udp_ask

from camaudit.lab.profile import load_profiles
from camaudit.lab.runner import Lab
from camaudit.protocols import http, rtsp, sadp, wsdiscovery

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


def test_huge_bodies_in_flight_share_one_copy(lab: Lab) -> None:
    # Built per request, six 10 MB replies in flight held 120 MB or more (a soak saw the lab at 340 MB).
    address = lab.addresses["hostile-huge-banner"]
    tracemalloc.start()
    socks: list[socket.socket] = []
    try:
        for _ in range(6):
            sock = socket.create_connection((address, 80), timeout=10)
            socks.append(sock)
            sock.sendall(http.build_request("GET", address, "/"))
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")  # the reply is on its way, not read
        time.sleep(0.3)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        for sock in socks:
            sock.close()
    assert peak < 3 * TEN_MB, f"{peak} bytes traced for six replies in flight"


def test_script_strings_come_back_verbatim(lab: Lab) -> None:
    address = lab.addresses["hostile-script"]
    reply = sadp.parse_reply(udp_ask(address, 37020, sadp.build_inquiry()))
    assert reply.model == "<script>alert(1)</script>"
    response = http.parse_response(exchange(address, 80, http.build_request("GET", address, "/")))
    assert http.extract_title(response.body) == "<script>alert(1)</script>"


def test_bad_xml_replies_are_malformed(lab: Lab) -> None:
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


OPT_IN = ["hostile-chameleon", "hostile-endless", "hostile-reset"]


@pytest.fixture(scope="module")
def opt_in_lab() -> Iterator[Lab]:
    """The hostile devices kept out of the default lab (they would make every full-lab scan slower
    or its identification vary): served only when named."""
    runner = start_lab(profiles=OPT_IN)
    try:
        yield runner.lab
    finally:
        runner.stop()


def test_opt_in_devices_are_not_in_the_default_lab(lab: Lab) -> None:
    assert not set(OPT_IN) & set(lab.addresses)
    assert {p.id for p in load_profiles(every=True)} >= set(OPT_IN)
    assert not {p.id for p in load_profiles()} & set(OPT_IN)


def test_chameleon_answers_each_request_as_the_next_vendor(opt_in_lab: Lab) -> None:
    address = opt_in_lab.addresses["hostile-chameleon"]
    servers = set()
    for _ in range(4):
        response = http.parse_response(exchange(address, 80, http.build_request("GET", address, "/")))
        servers.add((response.header("server"), http.extract_title(response.body)))
    assert len(servers) == 4  # four vendors, no two replies alike
    realms = set()
    for cseq in (7, 8, 9):
        reply = rtsp.parse_response(exchange(address, 554, rtsp.build_request("DESCRIBE", "rtsp://x/", cseq)))
        assert reply.header("cseq") == str(cseq)  # echoed, as a real RTSP server does
        realms.add(reply.header("www-authenticate"))
    assert len(realms) == 3


def test_endless_never_finishes_a_reply(opt_in_lab: Lab) -> None:
    address = opt_in_lab.addresses["hostile-endless"]
    for port in (80, 554, 8000):
        with socket.create_connection((address, port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            total = 0
            while total < 4 * 1024 * 1024:  # far past any probe's byte cap, and still coming
                chunk = sock.recv(1 << 20)
                assert chunk, f"the stream on {port} ended"
                total += len(chunk)


def test_reset_starts_a_reply_then_resets(opt_in_lab: Lab) -> None:
    address = opt_in_lab.addresses["hostile-reset"]
    for port, start in ((80, b"HTTP/1.1 200 OK"), (554, b"RTSP/1.0 200 OK"), (8000, b"\0\0\0\x10")):
        with socket.create_connection((address, port), timeout=5) as sock:
            sock.sendall(b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            data = b""
            with pytest.raises(ConnectionResetError):
                while chunk := sock.recv(4096):
                    data += chunk
                    time.sleep(0.05)
        assert data.startswith(start), port
