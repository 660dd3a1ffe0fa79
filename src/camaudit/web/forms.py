"""Forms: sign in and out, annotate a device, import a register spreadsheet, save and delete a filter,
manage users and API tokens.

Every post needs the session's CSRF token (`app.needs(..., forms=True)`); the login form, before any
session, uses a signed double-submit cookie. Failed logins are limited per address and per name.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from camaudit.errors import InputError
from camaudit.report.register_import import ImportSummary, apply_rows
from camaudit.report.spreadsheet import ImportProblem, ImportRow, read_rows
from camaudit.store import RegisterError
from camaudit.web import auth
from camaudit.web.app import MAX_FORM, bounded_body, needs, refuse, render, web

FIELDS = ("site", "location", "owner", "status", "due", "notes")
MAX_FIELD = 2000
MAX_IMPORT = 5 * 1024 * 1024  # bytes of an uploaded register spreadsheet
IMPORT_BATCH = 200  # rows per write: a long import lets site scanners' writes in between
SHOWN_ROWS = 1000  # rows listed on the result page (the counts cover all)


def _safe_next(value: str | None) -> str:
    """Only a path on this server: never `//host` or a scheme (an open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value[:2000]


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


async def login_page(request: Request, message: str = "", status: int = 200) -> Response:
    w = web(request)
    cookie, nonce = w.sessions.login_form()
    context = {"nonce": nonce, "message": message, "next": _safe_next(request.query_params.get("next"))}
    response = render(request, "login.html", context, status=status)
    response.set_cookie(
        auth.LOGIN_COOKIE, cookie, max_age=auth.LOGIN_FORM_SECONDS, httponly=True, samesite="lax",
        secure=_secure(request), path="/login",
    )  # fmt: skip
    return response


async def login(request: Request) -> Response:
    if request.method == "GET":
        return await login_page(request)
    w = web(request)
    bounded = await bounded_body(request, MAX_FORM)  # anyone may post here: an upload filled the disk
    if bounded is None:
        return refuse(request, 413, f"the form is larger than {MAX_FORM // 1024} KiB")
    form = await bounded.form()
    if not w.sessions.login_form_ok(request.cookies.get(auth.LOGIN_COOKIE), str(form.get("csrf") or "")):
        return await login_page(request, "The form expired: please try again.", 403)
    name, password = str(form.get("name") or "")[:64], str(form.get("password") or "")[:1024]
    keys = (f"addr:{request.client.host if request.client else '?'}", f"name:{name}")
    if w.throttle.blocked(*keys):
        return await login_page(request, "Too many failed attempts: wait a few minutes.", 429)
    user = await run_in_threadpool(w.reads.user, name)
    ok = await run_in_threadpool(auth.check_password, password, user.password_hash if user else None)
    if not ok or user is None or user.disabled:
        w.throttle.failed(*keys)
        return await login_page(request, "Wrong name or password.", 401)
    w.throttle.succeeded(keys[1])
    response = RedirectResponse(_safe_next(str(form.get("next") or "/")), status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE, w.sessions.issue(user.id), max_age=auth.SESSION_SECONDS, httponly=True,
        samesite="lax", secure=_secure(request), path="/",
    )  # fmt: skip
    response.delete_cookie(auth.LOGIN_COOKIE, path="/login")
    return response


@needs("viewer", forms=True)
async def logout(request: Request) -> Response:
    session = request.state.who.session
    web(request).sessions.end(session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


def _changes(form: Any) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in FIELDS:
        if name not in form:
            continue
        value = str(form.get(name) or "").strip()[:MAX_FIELD]
        if name == "due":
            changes[name] = date.fromisoformat(value) if value else None
        elif name == "status":
            if value:
                changes[name] = value
        else:
            changes[name] = value or None
    return changes


@needs("operator", forms=True)
async def annotate(request: Request) -> Response:
    w, device_id = web(request), int(request.path_params["device_id"])
    form = await request.form()
    try:
        changes = _changes(form)
        await w.writer.arun(lambda: w.writer.annotate(device_id, by=request.state.who.name, **changes))
    except ValueError as exc:
        return refuse(request, 400, f"not saved: {exc}")
    except RegisterError as exc:
        return refuse(request, 404, str(exc))
    return RedirectResponse(f"/devices/{device_id}#annotations", status_code=303)


@needs("viewer", forms=True)
async def save_filter(request: Request) -> Response:
    w, who = web(request), request.state.who
    form = await request.form()
    name = str(form.get("name") or "").strip()[:200] or "filter"
    query = str(form.get("query") or "")[:2000].lstrip("?")
    slug = secrets.token_urlsafe(12)
    await w.writer.arun(w.writes.save_filter, slug, who.user.id, name, query)
    return RedirectResponse(f"/devices?{query}", status_code=303)


@needs("viewer", forms=True)
async def delete_filter(request: Request) -> Response:
    """Only its owner deletes a saved filter (anyone with the link may open it)."""
    w, who = web(request), request.state.who
    slug = str(request.path_params["slug"])[:32]
    if not await w.writer.arun(w.writes.delete_filter, slug, who.user.id):
        return refuse(request, 404, "you have no saved filter by that link")
    return RedirectResponse("/devices", status_code=303)


@needs("viewer")
async def open_filter(request: Request) -> Response:
    """A saved filter's link works for any signed-in user: shareable by link."""
    found = await run_in_threadpool(web(request).reads.saved_filter, request.path_params["slug"][:32])
    if found is None:
        return refuse(request, 404, "no such saved filter")
    return RedirectResponse(f"/devices?{found.query}", status_code=303)


def _import_page(
    request: Request, summary: ImportSummary | None = None, message: str = "", status: int = 200
) -> Response:
    rows = summary.rows if summary else []
    rejected = [r for r in rows if r.outcome == "rejected"]
    applied = [r for r in rows if r.outcome != "rejected"]
    context = {
        "max_mb": MAX_IMPORT // (1024 * 1024),
        "message": message,
        "counts": summary.counts() if summary else None,
        "rejected": rejected[:SHOWN_ROWS],
        "applied": applied[:SHOWN_ROWS],
        "more": max(0, len(rejected) - SHOWN_ROWS) + max(0, len(applied) - SHOWN_ROWS),
    }
    return render(request, "import.html", context, status=status)


@needs("operator")
async def import_page(request: Request) -> Response:
    return _import_page(request)


@needs("operator", forms=True, max_body=MAX_IMPORT + 64 * 1024)
async def import_register(request: Request) -> Response:
    """`camaudit register import` from the browser: same rows, same code, the user's name in the log."""
    w = web(request)
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile):
        return _import_page(request, message="Choose a CSV file to import.", status=400)
    data = await upload.read(MAX_IMPORT + 1)
    if len(data) > MAX_IMPORT:
        return _import_page(request, message=f"The file is larger than {MAX_IMPORT // 2**20} MB.", status=413)
    try:
        items: list[ImportRow | ImportProblem] = await run_in_threadpool(lambda: list(read_rows(data)))
    except InputError as exc:
        return _import_page(request, message=f"Nothing imported: {exc}", status=400)
    summary, by = ImportSummary(), request.state.who.name
    reader = await run_in_threadpool(w.data.reader)
    try:
        for start in range(0, len(items), IMPORT_BATCH):
            batch = items[start : start + IMPORT_BATCH]
            await w.writer.arun(apply_rows, w.writer, reader, batch, by, summary)
    finally:
        await run_in_threadpool(reader.close)
    return _import_page(request, summary)


@needs("admin")
async def users_page(request: Request) -> Response:
    users = await run_in_threadpool(web(request).reads.users)
    return render(request, "users.html", {"users": users, "roles": auth.ROLES, "message": ""})


@needs("admin", forms=True)
async def add_user(request: Request) -> Response:
    w = web(request)
    form = await request.form()
    name, role = str(form.get("name") or "").strip()[:64], str(form.get("role") or "viewer")
    password = auth.new_password()
    try:
        if not name:
            raise RegisterError("a user needs a name")
        await w.writer.arun(w.writes.add_user, name, role, auth.hash_password(password))
    except RegisterError as exc:
        return refuse(request, 400, str(exc))
    users = await run_in_threadpool(w.reads.users)
    shown = f"User {name} created. Their one-time password (shown once): {password}"
    return render(request, "users.html", {"users": users, "roles": auth.ROLES, "message": shown})


@needs("admin")
async def tokens_page(request: Request) -> Response:
    tokens = await run_in_threadpool(web(request).reads.tokens)
    return render(request, "tokens.html", {"tokens": tokens, "created": None})


@needs("admin", forms=True)
async def add_token(request: Request) -> Response:
    w = web(request)
    form = await request.form()
    name, scope = str(form.get("name") or "").strip()[:64] or "token", str(form.get("scope") or "read")
    site = str(form.get("site") or "").strip()[:200] or None
    token = auth.new_token()
    try:
        await w.writer.arun(
            w.writes.add_token, name, scope, site, auth.token_hash(token), request.state.who.name
        )
    except RegisterError as exc:
        return refuse(request, 400, str(exc))
    tokens = await run_in_threadpool(w.reads.tokens)
    return render(request, "tokens.html", {"tokens": tokens, "created": token})


@needs("admin", forms=True)
async def revoke_token(request: Request) -> Response:
    w = web(request)
    await w.writer.arun(w.writes.revoke_token, int(request.path_params["token_id"]))
    w.forget_tokens()
    return RedirectResponse("/admin/tokens", status_code=303)


ROUTES = [
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/devices/{device_id:int}/annotate", annotate, methods=["POST"]),
    Route("/filters", save_filter, methods=["POST"]),
    Route("/f/{slug}/delete", delete_filter, methods=["POST"]),
    Route("/register/import", import_page),
    Route("/register/import", import_register, methods=["POST"]),
    Route("/f/{slug}", open_filter),
    Route("/admin/users", users_page),
    Route("/admin/users/add", add_user, methods=["POST"]),
    Route("/admin/tokens", tokens_page),
    Route("/admin/tokens/add", add_token, methods=["POST"]),
    Route("/admin/tokens/{token_id:int}/revoke", revoke_token, methods=["POST"]),
]
