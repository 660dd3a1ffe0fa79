"""HTTP Digest authentication and login lockout for the lab's emulated devices (RFC 7616).

A profile with `credentials` and `authenticated` sections (`camaudit.lab.spec_auth`) gets:

- a GET carrying a Digest ``Authorization`` header is verified against the profile's accounts; a good
  one to an `authenticated` target gets that answer, a good one elsewhere the ordinary route;
- a failure answers 401 with a fresh challenge and the vendor's failure body: Hikvision's ISAPI
  ``userCheck`` document with ``lockStatus``, ``unlockTime`` and ``retryLoginTime`` (devices.md §7.3;
  the same counters as HCNetSDK's ``NET_DVR_DEVICEINFO_V40.byRetryLoginTime/dwSurplusLockTime``),
  or Dahua's plain-text ``Error`` (``User locked`` once locked, devices.md §7.3);
- after `lockout.after` failures within `lockout.window` seconds the client address is locked for
  `lockout.seconds`: even the right password is refused, as on the real firmware;
- an unauthenticated GET to an `authenticated` target with no ordinary route gets a 401 challenge;
- on a device without `credentials`, a request carrying credentials gets the ordinary answer and is
  logged as ``sent`` (every login attempt to any lab device is visible in the request log).

Per-device state lives as long as the lab's request log, so separate labs never share counters.
"""

from __future__ import annotations

import secrets
import time
import weakref
from dataclasses import dataclass, field

from camaudit.errors import ProtocolError
from camaudit.lab.requestlog import RequestLog
from camaudit.lab.servers.base import DeviceContext
from camaudit.lab.spec import HttpRoute, HttpSpec
from camaudit.lab.spec_auth import CredentialsSpec
from camaudit.protocols import digest, http

OK, FAIL, LOCKED, MALFORMED, SENT = "ok", "fail", "locked", "malformed", "sent"


@dataclass(slots=True)
class _Peer:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


@dataclass(slots=True)
class DeviceAuth:
    """One device's login counters, per client address (Hikvision locks the address)."""

    peers: dict[str, _Peer] = field(default_factory=dict)

    def peer(self, address: str) -> _Peer:
        return self.peers.setdefault(address, _Peer())

    def failures(self, address: str) -> int:
        return len(self.peer(address).failures)


_STATE: weakref.WeakKeyDictionary[RequestLog, dict[str, DeviceAuth]] = weakref.WeakKeyDictionary()


def state(ctx: DeviceContext) -> DeviceAuth:
    return _STATE.setdefault(ctx.log, {}).setdefault(ctx.profile.id, DeviceAuth())


def _challenge_header(creds: CredentialsSpec) -> tuple[str, str]:
    nonce = secrets.token_hex(16)
    value = f'Digest qop="auth", realm="{creds.realm}", nonce="{nonce}", stale="FALSE"'
    if creds.style == "dahua":
        value += f', opaque="{secrets.token_hex(20)}"'
    return ("WWW-Authenticate", value)


def _hik_body(counters: tuple[bool, int, int] | None) -> bytes:
    # ISAPI userCheck failure document (namespace of devices.md §4.1); the lock counters only
    # follow a failed attempt, a request without credentials gets the bare status.
    lock = ""
    if counters is not None:
        locked, unlock, retries = counters
        lock = (
            f"<lockStatus>{'lock' if locked else 'unlock'}</lockStatus>\n"
            f"<unlockTime>{unlock}</unlockTime>\n<retryLoginTime>{retries}</retryLoginTime>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<userCheck version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">\n'
        f"<statusValue>401</statusValue>\n<statusString>Unauthorized</statusString>\n{lock}"
        "</userCheck>\n"
    ).encode()


def _refusal(creds: CredentialsSpec, counters: tuple[bool, int, int] | None) -> HttpRoute:
    """401 with a fresh challenge; `counters` (locked, unlock seconds, retries left) after a failure."""
    locked = counters is not None and counters[0]
    if creds.style == "hikvision":
        headers = (("Content-Type", "application/xml"), _challenge_header(creds))
        return HttpRoute(401, "Unauthorized", headers, _hik_body(counters))
    body = b"Error\r\nUser locked\r\n" if locked else b"Error\r\n"
    return HttpRoute(401, "Unauthorized", (("CONTENT-TYPE", "text/plain"), _challenge_header(creds)), body)


def _remaining(creds: CredentialsSpec, peer: _Peer, now: float) -> tuple[bool, int, int]:
    """(locked, seconds until unlock, attempts left) for one client address."""
    lock = creds.lockout
    if lock is None:
        return False, 0, 99
    peer.failures = [t for t in peer.failures if now - t < lock.window]
    if peer.locked_until > now:
        return True, int(peer.locked_until - now) + 1, 0
    return False, 0, max(lock.after - len(peer.failures), 0)


def _fail(creds: CredentialsSpec, peer: _Peer, now: float) -> HttpRoute:
    peer.failures.append(now)
    locked, unlock, retries = _remaining(creds, peer, now)
    if creds.lockout is not None and retries == 0 and not locked:
        peer.locked_until = now + creds.lockout.seconds
        peer.failures.clear()
        locked, unlock = True, creds.lockout.seconds
    return _refusal(creds, (locked, unlock, retries))


def _verify(creds: CredentialsSpec, value: str, target: str) -> bool | None:
    """True/False for well-formed credentials; None when the header is malformed or for another path."""
    try:
        sent = digest.parse_authorization(value)
    except ProtocolError:
        return None
    password = creds.password_of(sent.username)
    if sent.uri != target or sent.challenge.realm != creds.realm:
        return None if sent.uri != target else False
    return password is not None and digest.verify(sent, password=password, method="GET")


def answer(
    ctx: DeviceContext, spec: HttpSpec, request: http.HttpRequest, peer: str
) -> tuple[HttpRoute | None, str] | None:
    """(answer, auth outcome) when authentication has a say in this GET/HEAD, else None.

    The answer is None for good credentials to a target without an `authenticated` answer: the
    ordinary route serves it.
    """
    creds, routes = ctx.profile.credentials, ctx.profile.authenticated
    if creds is None or routes is None:
        # A device without accounts answers as usual; the attempt is still logged as one.
        return (None, SENT) if request.header("authorization") is not None else None
    path = request.target.split("?", 1)[0]
    guarded = routes.get(request.target) or routes.get(path)
    value = request.header("authorization")
    if value is None:
        static = spec.routes.get(request.target) or spec.routes.get(path)
        return (_refusal(creds, None), "") if guarded is not None and static is None else None
    return _authenticated(ctx, creds, request, peer, guarded)


def _authenticated(
    ctx: DeviceContext,
    creds: CredentialsSpec,
    request: http.HttpRequest,
    peer: str,
    guarded: HttpRoute | None,
) -> tuple[HttpRoute | None, str]:
    now = time.monotonic()
    client = state(ctx).peer(peer)
    locked, unlock, _ = _remaining(creds, client, now)
    if locked:
        return _refusal(creds, (True, unlock, 0)), LOCKED
    verdict = _verify(creds, request.header("authorization") or "", request.target)
    if verdict is None:
        return HttpRoute(400, "Bad Request", (("Content-Type", "text/plain"),), b"Bad Request"), MALFORMED
    if not verdict:
        return _fail(creds, client, now), FAIL
    client.failures.clear()  # a good login resets the counter, as the firmware does
    return guarded, OK
