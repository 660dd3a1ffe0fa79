"""`ReadOnlyRequest`: the one request type a probe (or an active verification) can send.

DESIGN.md "Safety of an active scanner": nothing camaudit sends may change a device's state. Rather than
trusting every probe author, the wire bytes can only come from the named constructors below, each of
which builds one read-only message through the sans-I/O codecs in `camaudit.protocols`:

- HTTP ``GET``/``HEAD`` of a fixed path, no body (RFC 9110 §9.2.1: safe methods);
- HTTP ``GET`` of a fixed path with a Digest ``Authorization`` header (RFC 7616), the only extra
  header any request may carry; it is never shown by ``repr`` (the authenticated audit);
- RTSP ``OPTIONS``/``DESCRIBE`` (RFC 2326 §10.1-10.2: they only describe the server/stream);
- ONVIF ``GetDeviceInformation``/``GetSystemDateAndTime`` (ONVIF Core: read-only device-management
  operations; a SOAP POST whose body our codec builds, never the caller);
- Hikvision SADP ``inquiry`` (devices.md §1.1; never ``activate``, ``update``, ``reboot``, ``restore`` …);
- Dahua DHIP ``DHDiscover.search`` (devices.md §2.1; never ``DHDiscover.setConfig``, ``DevInit.account`` …);
- Dahua legacy 5050 search and the DVRIP 37777 realm request (devices.md §2.2-2.3);
- ONVIF WS-Discovery ``Probe`` (devices.md §3);
- SSDP ``M-SEARCH`` for one search target (UPnP Device Architecture 1.1 §1.3.2; never NOTIFY, never
  SUBSCRIBE or a SOAP action);
- an mDNS query of PTR questions for DNS-SD service types (RFC 6762 §5, RFC 6763 §4; never a response,
  an announcement or a DNS UPDATE);
- "listen only" (wait for a banner) and a bare TLS handshake.

Anything else — another method, a path with CR/LF or spaces, a body, another message type — raises
`ValueError` at construction. The class cannot be instantiated directly (a private key is checked), and
`dataclasses.replace` re-runs the same validation, so a copy cannot smuggle in a different method.
"""

from __future__ import annotations

import re
import uuid as uuidlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

_KEY = object()  # only this module's constructors hold it
MAX_PATH = 2048
ONVIF_PATH = "/onvif/device_service"  # ONVIF Core §5.1.1 (device service entry point), devices.md §3
_PRINTABLE = re.compile(r"^[\x21-\x7e]+$")  # RFC 9112 §3.2: request-target has no SP, CR, LF or controls
_UUID = re.compile(r"^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$")
_WSD_ID = re.compile(r"^(uuid|urn:uuid):[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$")
_SSDP_ST = re.compile(
    r"^(ssdp:all|upnp:rootdevice|urn:[A-Za-z0-9.-]{1,64}:(device|service):[A-Za-z0-9_.-]{1,64}:\d{1,4})\Z"
)
_DNSSD_TYPE = r"(_services\._dns-sd\._udp|_[A-Za-z0-9-]{1,15}\._(tcp|udp))\.local"
_DNSSD_TYPES = re.compile(rf"^{_DNSSD_TYPE}(,{_DNSSD_TYPE}){{0,31}}\Z")


class RequestKind(StrEnum):
    HTTP = "http"
    HTTP_DIGEST = "http_digest"
    RTSP = "rtsp"
    ONVIF = "onvif"
    SADP_INQUIRY = "sadp_inquiry"
    DHIP_SEARCH = "dhip_search"
    DAHUA_LEGACY_SEARCH = "dahua_legacy_search"
    DVRIP_REALM = "dvrip_realm"
    WSD_PROBE = "wsd_probe"
    SSDP_MSEARCH = "ssdp_msearch"
    MDNS_QUERY = "mdns_query"
    LISTEN = "listen"
    TLS_HANDSHAKE = "tls_handshake"


UDP_KINDS = frozenset(
    {
        RequestKind.SADP_INQUIRY,
        RequestKind.DHIP_SEARCH,
        RequestKind.DAHUA_LEGACY_SEARCH,
        RequestKind.WSD_PROBE,
        RequestKind.SSDP_MSEARCH,
        RequestKind.MDNS_QUERY,
    }
)
HTTP_METHODS = frozenset({"GET", "HEAD"})
RTSP_METHODS = frozenset({"OPTIONS", "DESCRIBE"})
ONVIF_OPERATIONS = frozenset({"GetDeviceInformation", "GetSystemDateAndTime"})


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(f"not a read-only request: {message}")


def _check_token(value: str, what: str, limit: int = MAX_PATH) -> None:
    _require(0 < len(value) <= limit, f"{what} must be 1-{limit} characters")
    _require(bool(_PRINTABLE.match(value)), f"{what} {value!r} contains spaces, CR/LF or control characters")


def _check_http(req: ReadOnlyRequest) -> None:
    _require(req.method in HTTP_METHODS, f"HTTP method {req.method!r} (only GET and HEAD)")
    _check_token(req.target, "path")
    _require(req.target.startswith("/"), f"path {req.target!r} must start with '/'")
    _check_token(req.host, "host", 255)
    _require(not req.ident, "HTTP takes no identifier")


def _check_digest(req: ReadOnlyRequest) -> None:
    _require(req.method == "GET", f"authenticated HTTP method {req.method!r} (only GET)")
    _check_http(req)
    value = req.authorization
    _require(value.startswith("Digest ") and len(value) <= MAX_PATH * 2, "Authorization must be Digest")
    _require(not any(c in value for c in "\r\n\0"), "Authorization contains CR/LF/NUL")
    # The credentials must be for this very path (RFC 7616 §3.4: the uri parameter).
    _require(f'uri="{req.target}"' in value, "Authorization is for another path")


def _check_rtsp(req: ReadOnlyRequest) -> None:
    _require(req.method in RTSP_METHODS, f"RTSP method {req.method!r} (only OPTIONS and DESCRIBE)")
    _check_token(req.target, "url")
    _require(req.target.startswith("rtsp://"), f"url {req.target!r} must be rtsp://")
    _require(req.ident.isdigit() and len(req.ident) < 10, f"CSeq {req.ident!r} must be a number")
    _require(not req.host, "RTSP takes no host")


def _check_onvif(req: ReadOnlyRequest) -> None:
    _require(req.method in ONVIF_OPERATIONS, f"ONVIF operation {req.method!r}")
    _require(req.target == ONVIF_PATH, f"ONVIF path {req.target!r}")
    _check_token(req.host, "host", 255)
    _require(not req.ident, "ONVIF takes no identifier")


def _check_ident(pattern: re.Pattern[str], what: str) -> Callable[[ReadOnlyRequest], None]:
    def check(req: ReadOnlyRequest) -> None:
        _require(bool(pattern.match(req.ident)), f"{what} {req.ident!r}")
        _require(not (req.method or req.target or req.host), f"{req.kind} takes no method, path or host")

    return check


def _check_bare(req: ReadOnlyRequest) -> None:
    _require(not (req.method or req.target or req.host or req.ident), f"{req.kind} takes no arguments")


_CHECKS: dict[RequestKind, Callable[[ReadOnlyRequest], None]] = {
    RequestKind.HTTP: _check_http,
    RequestKind.HTTP_DIGEST: _check_digest,
    RequestKind.RTSP: _check_rtsp,
    RequestKind.ONVIF: _check_onvif,
    RequestKind.SADP_INQUIRY: _check_ident(_UUID, "SADP uuid"),
    RequestKind.WSD_PROBE: _check_ident(_WSD_ID, "WS-Discovery MessageID"),
    RequestKind.SSDP_MSEARCH: _check_ident(_SSDP_ST, "SSDP search target"),
    RequestKind.MDNS_QUERY: _check_ident(_DNSSD_TYPES, "DNS-SD service types"),
    RequestKind.DHIP_SEARCH: _check_bare,
    RequestKind.DAHUA_LEGACY_SEARCH: _check_bare,
    RequestKind.DVRIP_REALM: _check_bare,
    RequestKind.LISTEN: _check_bare,
    RequestKind.TLS_HANDSHAKE: _check_bare,
}


# --- wire bytes -------------------------------------------------------------------------------
# Codecs are imported inside each builder so this module (and its refusal rules) import on their own.
# Each builder double-checks the codec's output, so a codec change cannot silently widen what we send.


def _wire_http(req: ReadOnlyRequest) -> bytes:
    from camaudit.protocols import http

    data = http.build_request(req.method, req.host, req.target)
    _require(data.startswith(f"{req.method} {req.target} HTTP/1.1\r\n".encode()), "HTTP request line")
    _require(data.endswith(b"\r\n\r\n") and data.count(b"\r\n\r\n") == 1, "HTTP request has a body")
    return data


def _wire_digest(req: ReadOnlyRequest) -> bytes:
    from camaudit.protocols import http

    data = http.build_request("GET", req.host, req.target, headers=[("Authorization", req.authorization)])
    _require(data.startswith(f"GET {req.target} HTTP/1.1\r\n".encode()), "HTTP request line")
    _require(data.endswith(b"\r\n\r\n") and data.count(b"\r\n\r\n") == 1, "HTTP request has a body")
    return data


def _wire_onvif(req: ReadOnlyRequest) -> bytes:
    from camaudit.protocols import http, onvif

    body = (
        onvif.build_get_device_information()
        if req.method == "GetDeviceInformation"
        else onvif.build_get_system_date_and_time()
    )
    _require(onvif.request_operation(body) == req.method, "ONVIF body operation")
    # SOAP 1.2 over HTTP binding: the action travels in the media type (ONVIF Core §5.1.4).
    action = f"http://www.onvif.org/ver10/device/wsdl/{req.method}"
    ctype = f'application/soap+xml; charset=utf-8; action="{action}"'
    return http.build_request("POST", req.host, req.target, headers=[("Content-Type", ctype)], body=body)


def _wire_rtsp(req: ReadOnlyRequest) -> bytes:
    from camaudit.protocols import rtsp

    data = rtsp.build_request(req.method, req.target, int(req.ident))
    _require(data.startswith(f"{req.method} {req.target} RTSP/1.0\r\n".encode()), "RTSP request line")
    return data


def _wire_sadp(req: ReadOnlyRequest) -> bytes:
    from camaudit.protocols import sadp

    data = sadp.build_inquiry(req.ident)
    _require(sadp.parse_inquiry(data).types == "inquiry", "SADP message type")
    return data


def _wire_dhip(req: ReadOnlyRequest) -> bytes:
    from camaudit.protocols import dhip

    data = dhip.build_search()
    _require(dhip.is_search(dhip.parse_message(data)), "DHIP method")
    return data


def _wire_legacy(req: ReadOnlyRequest) -> bytes:
    from camaudit.protocols import dvrip

    data = dvrip.build_legacy_search()
    _require(dvrip.is_legacy_search(data), "Dahua legacy search")
    return data


def _wire_realm(req: ReadOnlyRequest) -> bytes:
    from camaudit.protocols import dvrip

    data = dvrip.build_realm_request()
    _require(dvrip.is_realm_request(data), "DVRIP realm request")
    return data


def _wire_wsd(req: ReadOnlyRequest) -> bytes:
    from camaudit.protocols import wsdiscovery

    data = wsdiscovery.build_probe(req.ident)
    _require(wsdiscovery.parse_probe(data).message_id == req.ident, "WS-Discovery Probe")
    return data


def _wire_ssdp(req: ReadOnlyRequest) -> bytes:
    from camaudit.protocols import upnp

    data = upnp.build_msearch(req.ident)
    search = upnp.parse_request(data)
    _require(search.is_search and search.headers.get("st") == req.ident, "SSDP M-SEARCH")
    return data


def _wire_mdns(req: ReadOnlyRequest) -> bytes:
    from camaudit.protocols import mdns

    data = mdns.build_query(tuple(req.ident.split(",")))
    query = mdns.parse_message(data)
    asks = all(q.type == mdns.TYPE_PTR for q in query.questions)
    _require(mdns.is_query(data) and not query.records and asks, "mDNS PTR query")
    return data


def _wire_nothing(req: ReadOnlyRequest) -> bytes:
    return b""


_WIRE: dict[RequestKind, Callable[[ReadOnlyRequest], bytes]] = {
    RequestKind.HTTP: _wire_http,
    RequestKind.HTTP_DIGEST: _wire_digest,
    RequestKind.RTSP: _wire_rtsp,
    RequestKind.ONVIF: _wire_onvif,
    RequestKind.SADP_INQUIRY: _wire_sadp,
    RequestKind.WSD_PROBE: _wire_wsd,
    RequestKind.SSDP_MSEARCH: _wire_ssdp,
    RequestKind.MDNS_QUERY: _wire_mdns,
    RequestKind.DHIP_SEARCH: _wire_dhip,
    RequestKind.DAHUA_LEGACY_SEARCH: _wire_legacy,
    RequestKind.DVRIP_REALM: _wire_realm,
    RequestKind.LISTEN: _wire_nothing,
    RequestKind.TLS_HANDSHAKE: _wire_nothing,
}


@dataclass(frozen=True, slots=True)
class ReadOnlyRequest:
    """One read-only message; build it only with the named constructors (classmethods).

    Attributes:
        kind: which read-only message this is.
        method: HTTP/RTSP method or ONVIF operation ("" for other kinds).
        target: HTTP path or RTSP URL.
        host: the HTTP Host header value.
        ident: SADP uuid, WS-Discovery MessageID, RTSP CSeq, SSDP search target or the
            comma-joined DNS-SD service types of an mDNS query.
        authorization: the Digest Authorization value (``http_digest`` only; hidden from repr).
        payload: the exact bytes to send, built by `camaudit.protocols` from the fields above.
    """

    kind: RequestKind
    method: str = ""
    target: str = ""
    host: str = ""
    ident: str = ""
    authorization: str = field(default="", repr=False, compare=False)
    _key: object = field(default=None, repr=False, compare=False)
    payload: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._key is not _KEY:
            raise TypeError("ReadOnlyRequest is built only by its named constructors (http_get, …)")
        if not isinstance(self.kind, RequestKind):
            raise ValueError(f"not a read-only request: unknown kind {self.kind!r}")
        if self.authorization and self.kind is not RequestKind.HTTP_DIGEST:
            raise ValueError(f"not a read-only request: {self.kind} takes no Authorization")
        _CHECKS[self.kind](self)
        object.__setattr__(self, "payload", _WIRE[self.kind](self))

    @property
    def is_udp(self) -> bool:
        return self.kind in UDP_KINDS

    @classmethod
    def _make(cls, kind: RequestKind, **kwargs: str) -> ReadOnlyRequest:
        return cls(kind, _key=_KEY, **kwargs)

    @classmethod
    def http_get(cls, host: str, path: str) -> ReadOnlyRequest:
        return cls._make(RequestKind.HTTP, method="GET", target=path, host=host)

    @classmethod
    def http_head(cls, host: str, path: str) -> ReadOnlyRequest:
        return cls._make(RequestKind.HTTP, method="HEAD", target=path, host=host)

    @classmethod
    def http_get_digest(cls, host: str, path: str, authorization: str) -> ReadOnlyRequest:
        """GET `path` with a Digest Authorization header (build it with `camaudit.protocols.digest`)."""
        return cls._make(
            RequestKind.HTTP_DIGEST, method="GET", target=path, host=host, authorization=authorization
        )

    @classmethod
    def rtsp_options(cls, url: str, cseq: int = 1) -> ReadOnlyRequest:
        return cls._make(RequestKind.RTSP, method="OPTIONS", target=url, ident=str(cseq))

    @classmethod
    def rtsp_describe(cls, url: str, cseq: int = 1) -> ReadOnlyRequest:
        return cls._make(RequestKind.RTSP, method="DESCRIBE", target=url, ident=str(cseq))

    @classmethod
    def onvif(cls, operation: str, host: str) -> ReadOnlyRequest:
        return cls._make(RequestKind.ONVIF, method=operation, target=ONVIF_PATH, host=host)

    @classmethod
    def sadp_inquiry(cls, uuid: str | None = None) -> ReadOnlyRequest:
        return cls._make(RequestKind.SADP_INQUIRY, ident=uuid or str(uuidlib.uuid4()).upper())

    @classmethod
    def dhip_search(cls) -> ReadOnlyRequest:
        return cls._make(RequestKind.DHIP_SEARCH)

    @classmethod
    def dahua_legacy_search(cls) -> ReadOnlyRequest:
        return cls._make(RequestKind.DAHUA_LEGACY_SEARCH)

    @classmethod
    def dvrip_realm(cls) -> ReadOnlyRequest:
        return cls._make(RequestKind.DVRIP_REALM)

    @classmethod
    def wsdiscovery_probe(cls, message_id: str | None = None) -> ReadOnlyRequest:
        return cls._make(RequestKind.WSD_PROBE, ident=message_id or f"uuid:{uuidlib.uuid4()}")

    @classmethod
    def ssdp_msearch(cls, target: str = "upnp:rootdevice") -> ReadOnlyRequest:
        """``M-SEARCH`` for `target` (``upnp:rootdevice``: one reply per root device, nmap's choice)."""
        return cls._make(RequestKind.SSDP_MSEARCH, ident=target)

    @classmethod
    def mdns_query(cls, names: Sequence[str] | None = None) -> ReadOnlyRequest:
        """PTR questions for DNS-SD service types (default `camaudit.protocols.mdns.BROWSE`)."""
        if names is None:
            from camaudit.protocols.mdns import BROWSE

            names = BROWSE
        return cls._make(RequestKind.MDNS_QUERY, ident=",".join(names))

    @classmethod
    def listen(cls) -> ReadOnlyRequest:
        return cls._make(RequestKind.LISTEN)

    @classmethod
    def tls_handshake(cls) -> ReadOnlyRequest:
        return cls._make(RequestKind.TLS_HANDSHAKE)
