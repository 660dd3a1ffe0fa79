"""`create_app(db)`: the dashboard as an ASGI app (Starlette), and who may do what on it.

Nothing is served without a session or an API token but the login page, the stylesheet and `/healthz`.
Every response carries a strict Content-Security-Policy (no script at all, no inline style, nothing from
another origin), templates autoescape (device strings are hostile), and every form post needs its CSRF
token. Routes are thin: pages are in `pages`, forms in `forms`, the site API in `ingest`; `factory`
assembles them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from camaudit.store import Register
from camaudit.store.accounts import Accounts, Token, User
from camaudit.store.engine import reader_engine
from camaudit.web import auth, data

HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-store",
}
TOKEN_CACHE_SECONDS = 30.0  # a revoked token stops working within this time
MAX_FORM = 256 * 1024  # bytes of a form post read at most (an upload form says its own)
Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a signed-in user (with their session) or an API token."""

    name: str
    role: str
    user: User | None = None
    session: auth.Session | None = None
    token: Token | None = None


class Web:
    """What every request needs: the register (reader views and the one writer), accounts, sessions."""

    def __init__(self, db: str | Path | None, policy: data.PolicyChoice | None, secret: bytes | None) -> None:
        self.writer = Register(db)  # migrates the register to the newest schema first
        self.data = data.Register(db, policy)
        self.reads = Accounts(reader_engine(db))
        self.writes = Accounts(self.writer.engine)
        self.sessions = auth.Sessions(secret)
        self.throttle = auth.Throttle()
        self._tokens: dict[str, tuple[float, Token | None]] = {}
        self._sites: dict[str, str] = {}
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,  # everywhere, whatever the file name: device strings are hostile
            undefined=jinja2.StrictUndefined,
        )

    def close(self) -> None:
        self.writer.close()
        self.reads.engine.dispose()

    def token(self, token_hash: str) -> Token | None:
        now = time.monotonic()
        cached = self._tokens.get(token_hash)
        if cached is None or cached[0] < now:
            if len(self._tokens) > 10_000:
                self._tokens.clear()
            cached = (now + TOKEN_CACHE_SECONDS, self.reads.token(token_hash))
            self._tokens[token_hash] = cached
        return cached[1]

    def audit_site(self, audit_id: str) -> str | None:
        """Which site owns an audit; remembered once known (an audit never changes site)."""
        site = self._sites.get(audit_id)
        if site is None:
            site = self.reads.audit_site(audit_id)
            if site is not None and len(self._sites) < 100_000:
                self._sites[audit_id] = site
        return site

    def forget_tokens(self) -> None:
        self._tokens.clear()


def web(request: Request) -> Web:
    found: Web = request.app.state.web
    return found


async def principal(request: Request) -> Principal | None:
    """The token in `Authorization: Bearer`, else the session cookie's user (never both)."""
    w = web(request)
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return None
        token = await run_in_threadpool(w.token, auth.token_hash(value.strip()))
        if token is None:
            return None
        return Principal(f"token:{token.name}", "auditor" if token.scope == "read" else "", token=token)
    session = w.sessions.read(request.cookies.get(auth.SESSION_COOKIE))
    if session is None:
        return None
    user = await run_in_threadpool(w.reads.user_by_id, session.user_id)
    if user is None or user.disabled:
        return None
    return Principal(user.name, user.role, user=user, session=session)


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.endswith((".json", ".csv")) or path.startswith("/api/") or "authorization" in request.headers


def refuse(request: Request, status: int, reason: str) -> Response:
    if status == 401 and not wants_json(request) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    if wants_json(request):
        return JSONResponse({"error": reason}, status_code=status)
    return render(request, "error.html", {"status": status, "reason": reason}, status=status)


def needs(role: str, *, forms: bool = False, max_body: int = MAX_FORM) -> Callable[[Handler], Handler]:
    """A route for users (or read tokens) with at least `role`; form posts also need the CSRF token,
    and their body is read only up to `max_body` bytes (413 beyond)."""

    def wrap(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            who = await principal(request)
            if who is None:
                return refuse(request, 401, "sign in, or send an API token")
            if not who.role or not auth.role_at_least(who.role, role):
                return refuse(request, 403, f"this needs the {role} role")
            if request.method == "POST":
                if who.session is None:
                    return refuse(request, 403, "forms are for signed-in users")
                if forms:
                    bounded = await bounded_body(request, max_body)
                    if bounded is None:
                        return refuse(request, 413, f"the form is larger than {max_body // 1024} KiB")
                    request = bounded
            try:
                if request.method == "POST" and not await _csrf_ok(request, who.session, forms):
                    return refuse(request, 403, "missing or wrong CSRF token: reload the page")
                request.state.who = who
                return await handler(request)
            finally:
                await request.close()  # an upload's spooled file too

        return endpoint

    return wrap


async def _csrf_ok(request: Request, session: auth.Session | None, forms: bool) -> bool:
    sent = (await request.form()).get("csrf") if forms else request.headers.get("x-csrf-token")
    return session is not None and web(request).sessions.csrf_ok(session, str(sent) if sent else None)


async def bounded_body(request: Request, limit: int) -> Request | None:
    """The request with its body read (at most `limit` bytes, whatever Content-Length claims), or None
    when it is larger: an upload can neither fill the memory nor the disk."""
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    body, given = b"".join(chunks), False

    async def replay() -> Message:
        nonlocal given
        if given:
            return {"type": "http.disconnect"}
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, replay)


def render(request: Request, name: str, context: Mapping[str, Any], status: int = 200) -> HTMLResponse:
    w = web(request)
    who: Principal | None = getattr(request.state, "who", None)
    csrf = w.sessions.csrf_token(who.session) if who and who.session else ""
    page = w.templates.get_template(name).render(
        {**context, "who": who, "csrf": csrf, "path": request.url.path, "can": _can(who)}
    )
    return HTMLResponse(page, status_code=status)


def _can(who: Principal | None) -> dict[str, bool]:
    role = who.role if who and who.user else ""
    return {r: bool(role) and auth.role_at_least(role, r) for r in auth.ROLES}


class SecurityHeaders:
    """Adds the CSP and the other protective headers to every response, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode().lower() not in HEADERS]
                headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def healthz(request: Request) -> Response:
    """For load balancers and `make dashboard`: answers without a session, says nothing about the data."""
    try:
        await run_in_threadpool(web(request).data.reader().close)
    except Exception:
        return JSONResponse({"status": "register unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def not_found(request: Request, _exc: Exception) -> Response:
    return PlainTextResponse("not found", status_code=404)
