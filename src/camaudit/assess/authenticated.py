"""Read-only authenticated GETs (HTTP Digest) and the owner's authenticated audit of a device.

`digest_get` is the one login primitive, shared with the default-credential check: a GET without
credentials to learn the Digest challenge, then one GET with the Digest ``Authorization`` header
(`ReadOnlyRequest.http_get_digest`: GET only, fixed path, no body). It never sends a password on the
wire (no Basic) and classifies what came back, including every sign of lockout or rate limiting:
Hikvision's ``lockStatus``/``unlockTime``/``retryLoginTime`` (devices.md §7.3), Dahua's ``User
locked``, 403 and 429 (RFC 6585 §4).

`read_device` runs the fixed read plan for the device's true manufacturer (ISAPI for Hikvision-made
devices, CGI for Dahua-made ones) and turns each answer into an ``auth.read`` Observation holding
vendor-neutral facts (`camaudit.protocols.isapi`, `camaudit.protocols.dahua_cgi`): never the raw body,
never a password. A failed login stops the plan at once, so the owner's account is never locked.

Fact keys (``auth.*`` in fields.yaml): ``auth.path``, ``auth.status``; ``auth.device.{name,model,
serial,mac,type,firmware}``; ``auth.service.<protocol>`` (``enabled:80`` …); ``auth.cloud.hik_connect``
(+ ``.registered``, ``.server``), ``auth.cloud.dahua_p2p``; ``auth.ntp``, ``auth.ntp.servers``;
``auth.ddns``, ``auth.ddns.server``; ``auth.upnp``, ``auth.upnp.mappings``; ``auth.users`` (name:role);
``auth.event_push``; ``auth.analytics.{face_capture,anpr,people_counting,audio}``; ``auth.channels``,
``auth.channel.<n>`` (the cameras behind an NVR).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from camaudit.errors import ProtocolError
from camaudit.model import Device, Observation, Transport
from camaudit.net import web
from camaudit.net.connector import Connector
from camaudit.net.readonly import ReadOnlyRequest
from camaudit.protocols import dahua_cgi, digest, http, isapi, xmlsafe

WEB_PORTS = (80, 8080, 443, 8443)
_LOCKED_TEXT = re.compile(rb"user\s+(?:is\s+)?locked|account\s+locked|locked", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Login:
    """What one authenticated GET produced (the body stays in memory, it is never stored).

    Attributes:
        outcome: ``ok``, ``refused`` (wrong credentials), ``locked``, ``rate_limited``, ``open`` (no
            authentication asked), ``no_digest`` (Basic only: not attempted), ``forbidden`` (403 with
            no lockout sign), ``unsupported`` (400), ``not_found``, ``error``.
        status: the HTTP status of the authenticated answer, when there was one.
        reason: a short human reason.
        retries_left: attempts the device says remain before it locks (Hikvision), when it says.
        seconds: wall time of the authenticated request.
        body: the answer's body (for parsing only).
        attempted: True when credentials were actually sent.
    """

    outcome: str
    status: int | None = None
    reason: str = ""
    retries_left: int | None = None
    seconds: float = 0.0
    body: bytes = b""
    attempted: bool = False


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a device's web server is: address, port, TLS."""

    ip: str
    port: int
    tls: bool

    @property
    def host(self) -> str:
        return web.authority(self.ip, self.port, tls=self.tls)


def web_endpoint(device: Device) -> Endpoint | None:
    """The first open web port of the device (plain HTTP preferred: cameras' TLS is self-signed)."""
    for port in WEB_PORTS:
        if port in device.ports:
            return Endpoint(device.ip, port, port in web.TLS_PORTS)
    return None


async def _get(conn: Connector, where: Endpoint, request: ReadOnlyRequest) -> http.HttpResponse | str:
    ex = await conn.exchange_tcp(
        where.ip, where.port, request, done=web.response_done("GET"), tls=where.tls, probe="auth"
    )
    return web.parse(ex.data, "GET")


def lock_signals(resp: http.HttpResponse) -> tuple[bool, int | None]:
    """(locked, retries left) from a refusal: Hikvision userCheck counters or Dahua's text."""
    body = resp.body[:8192]
    if b"<userCheck" in body or b"lockStatus" in body:
        try:
            root = xmlsafe.parse_xml(body, max_size=8192)
        except ProtocolError:
            return False, None
        locked = (xmlsafe.child_text(root, "lockStatus") or "").lower() in ("lock", "locked")
        unlock = xmlsafe.child_text(root, "unlockTime") or "0"
        retries = xmlsafe.child_text(root, "retryLoginTime")
        left = int(retries) if retries and retries.isdigit() else None
        return locked or (unlock.isdigit() and int(unlock) > 0), left
    return bool(_LOCKED_TEXT.search(body)), None


_SUB_STATUS = re.compile(rb"<subStatusCode>\s*([A-Za-z]{1,40})\s*</subStatusCode>")


def _status_detail(resp: http.HttpResponse) -> str | None:
    """The ISAPI ResponseStatus subStatusCode (``notSupport``, ``lowPrivilege`` …), if the body has one."""
    found = _SUB_STATUS.search(resp.body[:8192])
    return found.group(1).decode("ascii") if found else None


def _classify(resp: http.HttpResponse, seconds: float) -> Login:
    if resp.status == 200:
        return Login("ok", 200, seconds=seconds, body=resp.body, attempted=True)
    if resp.status == 429:
        return Login("rate_limited", 429, "429 Too Many Requests", seconds=seconds, attempted=True)
    if resp.status in (401, 403):
        locked, left = lock_signals(resp)
        if locked:
            return Login("locked", resp.status, "the device reports a lockout", left, seconds, attempted=True)
        if resp.status == 403:
            # Real ISAPI firmware answers 403 (ResponseStatus notSupport / lowPrivilege) for a resource
            # the model lacks or the account may not read: hikvision_next's DS-2CD2443G0-IW fixture
            # records 403 for ContentMgmt/InputProxy/channels on a camera.
            why = _status_detail(resp) or "forbidden"
            return Login("forbidden", 403, f"403 {why}", left, seconds, attempted=True)
        return Login("refused", resp.status, "credentials refused", left, seconds, attempted=True)
    if resp.status == 400:  # Dahua CGI: "Error / Bad Request!" for a configuration the model lacks
        return Login(
            "unsupported", 400, "400 bad request (not on this model)", seconds=seconds, attempted=True
        )
    if resp.status == 404:
        return Login("not_found", 404, "not supported (404)", seconds=seconds, attempted=True)
    return Login("error", resp.status, f"unexpected status {resp.status}", seconds=seconds, attempted=True)


async def digest_get(conn: Connector, where: Endpoint, path: str, username: str, password: str) -> Login:
    """One challenge GET, then at most one Digest-authenticated GET of `path`."""
    first = await _get(conn, where, ReadOnlyRequest.http_get(where.host, path))
    if isinstance(first, str):
        return Login("error", reason=first)
    if first.status == 200:
        return Login("open", 200, "answered without authentication", body=first.body)
    if first.status in (403, 429) or first.status == 404:
        outcome = {403: "locked", 429: "rate_limited", 404: "not_found"}[first.status]
        return Login(outcome, first.status, f"{first.status} before any credentials were sent")
    try:
        challenge = digest.parse_challenge(first.headers_all("www-authenticate"))
    except ProtocolError as exc:
        return Login("error", first.status, f"bad challenge: {exc}")
    if challenge is None:
        return Login(
            "no_digest", first.status, "no Digest challenge (Basic would send the password in clear)"
        )
    value = digest.authorization(challenge, username=username, password=password, uri=path)
    start = time.monotonic()
    second = await _get(conn, where, ReadOnlyRequest.http_get_digest(where.host, path, value))
    seconds = time.monotonic() - start
    if isinstance(second, str):
        return Login("error", reason=second, seconds=seconds, attempted=True)
    return _classify(second, seconds)


# --- the read plans -------------------------------------------------------------------------------

Parser = Callable[[bytes], dict[str, str]]


def _isapi(root: str) -> Parser:
    return lambda body: isapi.parse(body, root)


def _cgi(name: str) -> Parser:
    return lambda body: dahua_cgi.parse(body, name)


_CONFIG = "/cgi-bin/configManager.cgi?action=getConfig&name="
# Fixed paths only (GET): devices.md §4.1/§8.1 for ISAPI, §4.2/§8.2 for Dahua CGI.
PLANS: dict[str, tuple[tuple[str, Parser], ...]] = {
    "hikvision": (
        ("/ISAPI/System/deviceInfo", _isapi("DeviceInfo")),
        ("/ISAPI/Security/users", _isapi("UserList")),
        ("/ISAPI/Security/adminAccesses", _isapi("AdminAccessProtocolList")),
        ("/ISAPI/System/Network/telnetd", _isapi("Telnetd")),
        ("/ISAPI/System/Network/ssh", _isapi("SSH")),
        ("/ISAPI/System/Network/EZVIZ", _isapi("EZVIZ")),
        ("/ISAPI/System/time/ntpServers", _isapi("NTPServerList")),
        ("/ISAPI/System/Network/DDNS", _isapi("DDNSList")),
        ("/ISAPI/System/Network/UPnP", _isapi("UPnP")),
        ("/ISAPI/Event/notification/httpHosts", _isapi("HttpHostNotificationList")),
        ("/ISAPI/ContentMgmt/InputProxy/channels", _isapi("InputProxyChannelList")),
        ("/ISAPI/Streaming/channels/101", _isapi("StreamingChannel")),
        ("/ISAPI/Smart/FaceDetect/1", _isapi("FaceDetect")),
        ("/ISAPI/Traffic/channels/1/vehicleDetect", _isapi("VehicleDetectCfg")),
        ("/ISAPI/System/Video/inputs/channels/1/counting", _isapi("Counting")),
    ),
    "dahua": (
        ("/cgi-bin/magicBox.cgi?action=getSystemInfo", _cgi("getSystemInfo")),
        ("/cgi-bin/magicBox.cgi?action=getSoftwareVersion", _cgi("getSoftwareVersion")),
        ("/cgi-bin/userManager.cgi?action=getUserInfoAll", _cgi("getUserInfoAll")),
        *((f"{_CONFIG}{name}", _cgi(name)) for name in (
            "NTP", "DDNS", "UPnP", "T2UServer", "Telnet", "SSHD", "RTSP", "Network", "Email",
            "VideoAnalyseRule", "Encode", "RemoteDevice",
        )),
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class AuthAudit:
    """What the authenticated audit of one device produced.

    Attributes:
        observations: one ``auth.read`` Observation per successful read (facts only).
        login: the outcome of the first read (the login); the plan stops unless it is ``ok``.
        skipped: ``path: reason`` for reads that gave nothing (404, unparsable answer …).
    """

    observations: tuple[Observation, ...]
    login: Login
    skipped: tuple[str, ...] = ()


def _observation(
    device: Device, where: Endpoint, source: str, path: str, facts: dict[str, str]
) -> Observation:
    return Observation(
        source=f"auth:{source}",
        ip=device.ip,
        port=where.port,
        transport=Transport.TCP,
        protocol="http",
        kind="auth.read",
        fields={"auth.path": path, "auth.status": "200", **facts},
    )


def _skips_one_read(result: Login, *, logged_in: bool) -> bool:
    """A read the model lacks or the account may not see: skip it. Only a refused login or a sign of
    lockout stops the plan; before any read succeeded, a 403 or 400 might be either, so it stops too."""
    if result.outcome == "not_found":
        return True
    return logged_in and result.outcome in ("forbidden", "unsupported")


async def read_device(device: Device, conn: Connector, username: str, password: str) -> AuthAudit | None:
    """Run the read plan of the device's maker; None when there is no plan or no web port."""
    plan, where = PLANS.get(device.manufacturer or ""), web_endpoint(device)
    if plan is None or where is None:
        return None
    source = "isapi" if device.manufacturer == "hikvision" else "dahua_cgi"
    found: list[Observation] = []
    skipped: list[str] = []
    login: Login | None = None
    for path, parser in plan:
        result = await digest_get(conn, where, path, username, password)
        login = login or result
        if result.outcome not in ("ok", "open"):
            if not _skips_one_read(result, logged_in=login.outcome in ("ok", "open")):
                return AuthAudit(  # refused, locked, throttled, odd: stop at once
                    tuple(found), result if not found else login, (*skipped, f"{path}: {result.reason}")
                )
            skipped.append(f"{path}: {result.reason}")
            continue
        try:
            found.append(_observation(device, where, source, path, parser(result.body)))
        except ProtocolError as exc:
            skipped.append(f"{path}: {str(exc)[:120]}")
    assert login is not None
    return AuthAudit(tuple(found), login, tuple(skipped))
