"""Typed, validated service specs of a lab profile (what each emulated port answers).

Profiles are data written by people and read once at start-up; every mapping is checked against the
keys declared here and an unknown key is an error naming the file and the key (STYLE.md R7).
Strings may carry the placeholders ``{address}``, ``{mac}`` (aa:bb:..) and ``{mac_dash}`` (aa-bb-..),
filled in per device when the lab starts (`camaudit.lab.servers.base.fill`).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camaudit.errors import DataFileError

Headers = tuple[tuple[str, str], ...]
MAX_PAD = 16 * 1024 * 1024  # largest body a hostile profile may ask for


class Where:
    """A location inside a profile file, for error messages (file + key path)."""

    def __init__(self, file: Path | str, path: str = "") -> None:
        self.file = str(file)
        self.path = path

    def child(self, key: str) -> Where:
        return Where(self.file, f"{self.path}.{key}" if self.path else key)

    def error(self, message: str) -> DataFileError:
        return DataFileError(f"{self.file}: {self.path or '<top>'}: {message}")


def check_keys(
    where: Where, data: Any, allowed: AbstractSet[str], required: AbstractSet[str] = frozenset()
) -> dict[str, Any]:
    """Return `data` as a dict after rejecting unknown and missing keys."""
    if not isinstance(data, Mapping):
        raise where.error(f"expected a mapping, got {type(data).__name__}")
    for key in data:
        if str(key) not in allowed:
            raise where.child(str(key)).error(f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
    missing = sorted(required - {str(k) for k in data})
    if missing:
        raise where.error(f"missing key(s) {', '.join(missing)}")
    return {str(k): v for k, v in data.items()}


def want(where: Where, value: Any, kind: type | tuple[type, ...]) -> Any:
    """Type-check one scalar (bool is not accepted where int is wanted)."""
    if isinstance(value, bool) and kind is int:
        raise where.error("expected an integer, got a boolean")
    if not isinstance(value, kind):
        raise where.error(f"expected {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
    return value


def str_list(where: Where, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise where.error("expected a list of strings")
    return tuple(want(where.child(str(i)), v, str) for i, v in enumerate(value))


def headers(where: Where, value: Any) -> Headers:
    """Headers are an ordered list of ``"Name: value"`` strings; case and order are kept (vendor tells)."""
    out = []
    for i, line in enumerate(str_list(where, value)):
        name, sep, val = line.partition(":")
        if not sep or not name or name != name.strip() or any(c in line for c in "\r\n"):
            raise where.child(str(i)).error(f"not a 'Name: value' header: {line!r}")
        out.append((name, val.strip()))
    return tuple(out)


def str_map(where: Where, value: Any) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise where.error("expected a mapping of strings")
    out = {str(k): want(where.child(str(k)), v, str) for k, v in value.items()}
    return types.MappingProxyType(out)


# --- HTTP(S) and ONVIF -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HttpRoute:
    """One answer: status line, headers as sent, body (optionally padded to `pad_to` bytes)."""

    status: int
    reason: str
    headers: Headers
    body: bytes
    pad_to: int = 0


_ROUTE_KEYS = {"status", "reason", "headers", "body", "body_file", "pad_to"}


def http_route(where: Where, data: Any, base: Path) -> HttpRoute:
    d = check_keys(where, data, _ROUTE_KEYS, {"status"})
    if "body" in d and "body_file" in d:
        raise where.error("give body or body_file, not both")
    body: bytes = want(where.child("body"), d.get("body", ""), str).encode("utf-8")
    if "body_file" in d:
        body = _read_body_file(where.child("body_file"), base, d["body_file"])
    pad = want(where.child("pad_to"), d.get("pad_to", 0), int)
    if not 0 <= pad <= MAX_PAD:
        raise where.child("pad_to").error(f"must be 0..{MAX_PAD}")
    status = want(where.child("status"), d["status"], int)
    reason = want(where.child("reason"), d.get("reason", _REASONS.get(status, "Unknown")), str)
    return HttpRoute(status, reason, headers(where.child("headers"), d.get("headers", [])), bytes(body), pad)


def _read_body_file(where: Where, base: Path, name: Any) -> bytes:
    path: Path = (base / str(want(where, name, str))).resolve()
    if base.resolve() not in path.parents or not path.is_file():
        raise where.error(f"no such file inside the profiles folder: {name!r}")
    return path.read_bytes()


_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
}


@dataclass(frozen=True, slots=True)
class OnvifSpec:
    """ONVIF device service: GetDeviceInformation answered with `device_information`, or a
    ter:NotAuthorized fault when it is None (ONVIF Core puts it behind authentication)."""

    device_information: Mapping[str, str] | None
    fault_status: int = 400


_ONVIF_INFO_KEYS = {"manufacturer", "model", "firmware_version", "serial_number", "hardware_id"}


def onvif_spec(where: Where, data: Any) -> OnvifSpec:
    d = check_keys(where, data, {"device_information", "fault_status"})
    info = d.get("device_information")
    if info is not None:
        check_keys(where.child("device_information"), info, _ONVIF_INFO_KEYS, _ONVIF_INFO_KEYS)
        info = str_map(where.child("device_information"), info)
    return OnvifSpec(info, want(where.child("fault_status"), d.get("fault_status", 400), int))


@dataclass(frozen=True, slots=True)
class TlsSpec:
    """Certificate names (RFC 4514 attribute keys CN, O, OU, L, ST, C); issuer None = self-signed."""

    subject: Mapping[str, str]
    issuer: Mapping[str, str] | None = None


def tls_spec(where: Where, data: Any) -> TlsSpec:
    d = check_keys(where, data, {"subject", "issuer"}, {"subject"})
    issuer = str_map(where.child("issuer"), d["issuer"]) if d.get("issuer") is not None else None
    return TlsSpec(str_map(where.child("subject"), d["subject"]), issuer)


_DEFAULT_404 = HttpRoute(404, "Not Found", (("Content-Type", "text/html"),), b"<html><body>404</body></html>")
_DEFAULT_REJECT = HttpRoute(
    403, "Forbidden", (("Content-Type", "text/html"),), b"<html><body>403</body></html>"
)


@dataclass(frozen=True, slots=True)
class HttpSpec:
    """An HTTP or HTTPS port.

    Attributes:
        routes: request target (exact, with query) or path -> answer to GET/HEAD.
        not_found: answer to any other path (the liar's is a 200: `catch_all`).
        rejected: answer to a state-changing request (logged, never acted on).
        tls: certificate for HTTPS, None for plain HTTP.
        onvif: ONVIF device service on /onvif/device_service, None when absent.
        content_length_name: spelling of the length header (Dahua firmware sends CONTENT-LENGTH).
        echo_headers: reflect the request headers back (the liar, STYLE.md R9).
    """

    routes: Mapping[str, HttpRoute]
    not_found: HttpRoute = _DEFAULT_404
    rejected: HttpRoute = _DEFAULT_REJECT
    tls: TlsSpec | None = None
    onvif: OnvifSpec | None = None
    content_length_name: str = "Content-Length"
    echo_headers: bool = False


_HTTP_KEYS = {
    "protocol",
    "routes",
    "not_found",
    "rejected",
    "tls",
    "onvif",
    "content_length_name",
    "echo_headers",
}


def http_spec(where: Where, data: Any, base: Path, *, tls_required: bool) -> HttpSpec:
    d = check_keys(where, data, _HTTP_KEYS, {"protocol", "routes"} | ({"tls"} if tls_required else set()))
    if not tls_required and "tls" in d:
        raise where.child("tls").error("only protocol https takes a certificate")
    routes_data = check_keys(where.child("routes"), d["routes"], set(map(str, d["routes"] or {})))
    routes = {k: http_route(where.child("routes").child(k), v, base) for k, v in routes_data.items()}
    if any(not k.startswith("/") for k in routes):
        raise where.child("routes").error("every route must start with '/'")
    return HttpSpec(
        routes=types.MappingProxyType(routes),
        not_found=http_route(where.child("not_found"), d["not_found"], base)
        if "not_found" in d
        else _DEFAULT_404,
        rejected=http_route(where.child("rejected"), d["rejected"], base)
        if "rejected" in d
        else _DEFAULT_REJECT,
        tls=tls_spec(where.child("tls"), d["tls"]) if "tls" in d else None,
        onvif=onvif_spec(where.child("onvif"), d["onvif"]) if "onvif" in d else None,
        content_length_name=want(
            where.child("content_length_name"), d.get("content_length_name", "Content-Length"), str
        ),
        echo_headers=want(where.child("echo_headers"), d.get("echo_headers", False), bool),
    )


# --- RTSP ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RtspReply:
    """One RTSP answer (RFC 2326 §7); several WWW-Authenticate lines are kept in order."""

    status: int
    reason: str
    headers: Headers
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class RtspSpec:
    options: RtspReply
    describe: RtspReply


def rtsp_reply(where: Where, data: Any) -> RtspReply:
    d = check_keys(where, data, {"status", "reason", "headers", "body"}, {"status"})
    status = want(where.child("status"), d["status"], int)
    reason = want(where.child("reason"), d.get("reason", _REASONS.get(status, "Unknown")), str)
    body = want(where.child("body"), d.get("body", ""), str).encode("utf-8")
    return RtspReply(status, reason, headers(where.child("headers"), d.get("headers", [])), body)


def rtsp_spec(where: Where, data: Any) -> RtspSpec:
    d = check_keys(where, data, {"protocol", "options", "describe"}, {"protocol", "options", "describe"})
    return RtspSpec(
        rtsp_reply(where.child("options"), d["options"]), rtsp_reply(where.child("describe"), d["describe"])
    )
