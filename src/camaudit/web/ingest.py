"""The central register's API for site scanners (`camaudit scan --report-to URL --site S`).

    POST /api/sites/{site}/audits                      {"audit": <model codec>}
    POST /api/sites/{site}/audits/{audit}/hosts        {"ip", "observations", "attempts", "devices"}
    POST /api/sites/{site}/audits/{audit}/finish       {"devices", "finished"}

Only a write token for that very site may post; an audit belongs to the site that began it. Each call is
idempotent (a retry after a lost reply writes nothing twice): audits by id, hosts by audit and address.
Bodies are hostile input: capped in size and decoded by the model's own codec, which refuses anything else.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from camaudit.model import Audit, Device, Observation, ProbeAttempt, from_dict
from camaudit.store import RegisterError
from camaudit.web.app import Principal, principal, web

MAX_BODY = 8 * 1024 * 1024
MAX_ITEMS = 20_000


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


async def _body(request: Request) -> dict[str, Any]:
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise Refused(413, f"body larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    try:
        data = json.loads(b"".join(chunks))
    except (ValueError, RecursionError):
        raise Refused(400, "body is not JSON") from None
    if not isinstance(data, dict):
        raise Refused(400, "body must be a JSON object")
    return data


def _many(cls: type[Any], items: Any) -> list[Any]:
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise Refused(400, f"expected a list of at most {MAX_ITEMS} {cls.__name__} objects")
    try:
        return [from_dict(cls, x) for x in items]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise Refused(400, f"not a {cls.__name__}: {str(exc)[:200]}") from None


async def _writer_for(request: Request) -> Principal:
    who = await principal(request)
    if who is None or who.token is None:
        raise Refused(401, "send a site's write token (Authorization: Bearer)")
    site = request.path_params["site"]
    if who.token.scope != "write" or who.token.site != site:
        raise Refused(403, "this token may not write this site's audits")
    return who


async def _owned(request: Request) -> str:
    audit_id = str(request.path_params["audit_id"])[:64]
    owner = await run_in_threadpool(web(request).audit_site, audit_id)
    if owner is None:
        raise Refused(404, "begin the audit first")
    if owner != request.path_params["site"]:
        raise Refused(403, "this audit belongs to another site")
    return audit_id


def _api(handler: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            await _writer_for(request)
            return JSONResponse(await handler(request))
        except Refused as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        except RegisterError as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)

    return endpoint


@_api
async def begin(request: Request) -> dict[str, Any]:
    body = await _body(request)
    try:
        audit = from_dict(Audit, body.get("audit") or {})
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise Refused(400, f"not an Audit: {str(exc)[:200]}") from None
    w = web(request)
    created = await w.writer.arun(w.writer.begin_site_audit, audit, request.path_params["site"])
    return {"audit": audit.id, "created": created}


@_api
async def host(request: Request) -> dict[str, Any]:
    audit_id = await _owned(request)
    body = await _body(request)
    ip = body.get("ip")
    if not isinstance(ip, str) or not ip or len(ip) > 64:
        raise Refused(400, "a host needs its address")
    observations = _many(Observation, body.get("observations", []))
    attempts = _many(ProbeAttempt, body.get("attempts", []))
    devices = _many(Device, body.get("devices", []))
    w = web(request)
    written = await w.writer.arun(w.writer.record_host_once, audit_id, ip, observations, attempts, devices)
    return {"audit": audit_id, "ip": ip, "created": written}


@_api
async def finish(request: Request) -> dict[str, Any]:
    audit_id = await _owned(request)
    body = await _body(request)
    devices = _many(Device, body.get("devices", []))
    try:
        finished = datetime.fromisoformat(str(body.get("finished")))
    except ValueError:
        raise Refused(400, "finished must be an ISO 8601 time") from None
    w = web(request)
    await w.writer.arun(w.writer.finish_audit, audit_id, devices, finished)
    return {"audit": audit_id, "finished": True}


ROUTES = [
    Route("/api/sites/{site}/audits", begin, methods=["POST"]),
    Route("/api/sites/{site}/audits/{audit_id}/hosts", host, methods=["POST"]),
    Route("/api/sites/{site}/audits/{audit_id}/finish", finish, methods=["POST"]),
]
