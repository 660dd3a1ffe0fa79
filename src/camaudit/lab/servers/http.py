"""HTTP and HTTPS (RFC 9112) with the ONVIF device service (SOAP POST to /onvif/device_service).

GET/HEAD/OPTIONS are answered from the profile's routes (exact target with query first, then the
path). ONVIF GetDeviceInformation and GetSystemDateAndTime are read-only and answered. Every other
method or ONVIF operation (PUT/POST/DELETE to config paths, Set*, SystemReboot …) is logged as
state-changing and answered with the profile's `rejected` page, never acted on.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import ssl
import tempfile
from datetime import UTC, datetime

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.lab.profile import Service
from camaudit.lab.servers import auth
from camaudit.lab.servers.base import (
    DeviceContext,
    Handler,
    Running,
    ServerKind,
    TcpServer,
    read_message,
    send,
)
from camaudit.lab.spec import HttpRoute, HttpSpec, TlsSpec
from camaudit.protocols import http, onvif, tls

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ONVIF_READ_ONLY = frozenset({"GetDeviceInformation", "GetSystemDateAndTime"})
_NO_ECHO = frozenset({"content-length", "transfer-encoding", "connection"})
_SOAP = (("Content-Type", "application/soap+xml; charset=utf-8"),)


def _route(spec: HttpSpec, target: str) -> HttpRoute:
    path = target.split("?", 1)[0]
    return spec.routes.get(target) or spec.routes.get(path) or spec.not_found


def _body(ctx: DeviceContext, route: HttpRoute) -> bytes:
    body = ctx.fill_bytes(route.body)
    return _padded(body, route.pad_to) if route.pad_to > len(body) else body


@functools.lru_cache(maxsize=8)
def _padded(body: bytes, size: int) -> bytes:
    # Built once and shared: a hostile 10 MB body built per request kept ~17 copies in flight during a
    # soak (the lab's RSS swung between 50 and 340 MB while its traced memory at rest was 2.6 MB).
    return ((body or b"A") * (size // max(len(body), 1) + 1))[:size]


def _render(
    ctx: DeviceContext, spec: HttpSpec, route: HttpRoute, request: http.HttpRequest | None
) -> tuple[bytes, bytes]:
    """The head and the body, sent one after the other (joining them would copy a padded body)."""
    body = _body(ctx, route)
    fields = [(k, ctx.fill(v)) for k, v in route.headers]
    if spec.echo_headers and request is not None:
        fields += [(k, v) for k, v in request.headers if k.lower() not in _NO_ECHO]
    if not any(k.lower() in ("content-length", "transfer-encoding") for k, _ in fields):
        fields.append((spec.content_length_name, str(len(body))))
    head = http.build_response(route.status, route.reason, fields, b"", add_content_length=False)
    if request is not None and request.method.upper() in ("HEAD", "OPTIONS"):
        return head, b""
    return head, body


def _onvif(ctx: DeviceContext, spec: HttpSpec, body: bytes) -> tuple[str, bytes | None]:
    """(operation, SOAP response) for a read-only operation; response None when it must be refused."""
    assert spec.onvif is not None
    operation = onvif.request_operation(body)
    if operation == "GetSystemDateAndTime":
        return operation, onvif.build_system_date_and_time_response(datetime.now(UTC))
    if operation == "GetDeviceInformation":
        info = spec.onvif.device_information
        if info is None:
            return operation, None
        return operation, onvif.build_device_information_response(**{k: ctx.fill(v) for k, v in info.items()})
    return operation, None


def _classify_onvif(body: bytes) -> tuple[str, bool]:
    """(operation, state_changing) of an ONVIF request; unparseable bodies count as changing."""
    try:
        operation = onvif.request_operation(body)
    except ProtocolError:
        return "malformed", True
    return operation, operation not in ONVIF_READ_ONLY


def _soap(status: int, body: bytes) -> HttpRoute:
    return HttpRoute(status, "OK" if status == 200 else "Bad Request", _SOAP, body)


def _answer(ctx: DeviceContext, spec: HttpSpec, request: http.HttpRequest) -> tuple[HttpRoute, str, bool]:
    """(answer, ONVIF operation or "", state_changing)."""
    method = request.method.upper()
    if method in READ_ONLY_METHODS:
        return _route(spec, request.target), "", False
    is_onvif = method == "POST" and request.target.split("?")[0] == onvif.DEVICE_SERVICE_PATH
    if is_onvif and spec.onvif is None:
        # No ONVIF here: answer like a plain web server, but judge the request by what it asked for.
        return _route(spec, request.target), *_classify_onvif(request.body)
    if is_onvif and spec.onvif is not None:
        try:
            operation, reply = _onvif(ctx, spec, request.body)
        except ProtocolError:
            return _soap(400, onvif.build_fault("ter:InvalidArgVal", "Malformed request")), "malformed", False
        if reply is not None:
            return _soap(200, reply), operation, False
        changing = operation not in ONVIF_READ_ONLY
        return _soap(spec.onvif.fault_status, onvif.build_fault()), operation, changing
    return spec.rejected, "", True


def _handler(ctx: DeviceContext, service: Service, spec: HttpSpec) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str) -> None:
        try:
            data = await read_message(
                reader, http.request_complete, cap=http.MAX_HEAD + http.BODY_CAP, timeout=ctx.idle_timeout
            )
            request = http.parse_request(data) if data else None
        except (ProtocolError, MessageTooLarge):
            ctx.record(service, "malformed", peer=peer)
            await send(writer, http.build_response(400, "Bad Request", [("Connection", "close")], b""))
            return
        if request is None:
            return
        route, operation, changing = _answer(ctx, spec, request)
        login = auth.answer(ctx, spec, request, peer) if request.method.upper() in ("GET", "HEAD") else None
        if login is not None:  # Digest credentials or a guarded target (lab/servers/auth.py)
            route = login[0] or route
        ctx.record(service, request.method, path=request.target, operation=operation,
                   body_size=len(request.body), peer=peer, state_changing=changing,
                   auth=login[1] if login else "")  # fmt: skip
        await send(writer, *_render(ctx, spec, route, request))

    return handle


def _tls_context(ctx: DeviceContext, spec: TlsSpec) -> ssl.SSLContext:
    subject = {k: ctx.fill(v) for k, v in spec.subject.items()}
    issuer = {k: ctx.fill(v) for k, v in spec.issuer.items()} if spec.issuer is not None else None
    cert, key = tls.make_certificate(subject, issuer)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # The ssl module loads keys from files only: a private temp file, removed at once.
    fd, name = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(cert + key)
        context.load_cert_chain(name)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)
    return context


async def start(ctx: DeviceContext, service: Service) -> Running:
    spec = service.spec
    assert isinstance(spec, HttpSpec)
    context = _tls_context(ctx, spec.tls) if spec.tls is not None else None
    return await TcpServer(_handler(ctx, service, spec)).start(ctx.address, ctx.port(service), tls=context)


SERVER = ServerKind(("http", "https"), start)
