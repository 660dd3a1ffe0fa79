"""HTTP helpers for everything that speaks it to a device (the http and onvif probes, authenticated reads)."""

from __future__ import annotations

from collections.abc import Callable

from camaudit.errors import ProtocolError
from camaudit.protocols import http

TLS_PORTS = frozenset({443, 8443})


def authority(ip: str, port: int, *, tls: bool) -> str:
    """RFC 9110 §7.2 Host value: IPv6 literals in brackets, the port left out when it is the default."""
    host = f"[{ip}]" if ":" in ip else ip
    default = 443 if tls else 80
    return host if port == default else f"{host}:{port}"


def response_done(method: str) -> Callable[[bytes], bool]:
    def done(data: bytes) -> bool:
        return http.response_complete(data, method=method)

    return done


def parse(data: bytes, method: str) -> http.HttpResponse | str:
    """The parsed response, or the reason it did not parse."""
    if not data:
        return "no reply"
    try:
        return http.parse_response(data, method=method)
    except ProtocolError as exc:
        return f"not an HTTP response: {exc}"
