"""Tiny blocking clients for lab tests: the codecs' build/parse functions are the client side."""

from __future__ import annotations

import socket
import ssl

from camaudit.protocols import http, rtsp

TIMEOUT = 5.0


def exchange(address: str, port: int, request: bytes, *, cap: int = 1 << 20, tls: bool = False) -> bytes:
    """Send `request`, read until the server closes (or `cap` bytes)."""
    with socket.create_connection((address, port), timeout=TIMEOUT) as raw:
        if not tls:
            return _talk(raw, request, cap)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with context.wrap_socket(raw) as sock:
            return _talk(sock, request, cap)


def _talk(sock: socket.socket, request: bytes, cap: int) -> bytes:
    sock.sendall(request)
    data = b""
    while len(data) < cap and (chunk := sock.recv(65536)):
        data += chunk
    return data


def http_get(address: str, port: int, path: str, *, method: str = "GET", tls: bool = False,
             body: bytes = b"", headers: tuple[tuple[str, str], ...] = ()) -> http.HttpResponse:  # fmt: skip
    request = http.build_request(method, address, path, headers=headers, body=body)
    return http.parse_response(exchange(address, port, request, tls=tls), method=method)


def rtsp_ask(address: str, port: int, method: str) -> rtsp.RtspResponse:
    request = rtsp.build_request(method, f"rtsp://{address}:{port}/", 1)
    with socket.create_connection((address, port), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        data = b""
        while not rtsp.response_complete(data) and (chunk := sock.recv(65536)):
            data += chunk
    return rtsp.parse_response(data)


def udp_ask(address: str, port: int, payload: bytes) -> bytes:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(TIMEOUT)
        sock.sendto(payload, (address, port))
        return sock.recv(65536)
