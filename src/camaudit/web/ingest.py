"""The central register's API for site scanners (`camaudit scan --report-to URL --site S`).

    POST /api/sites/{site}/audits                      {"audit": <model codec>}
    POST /api/sites/{site}/audits/{audit}/hosts        {"ip", "observations", "attempts", "devices"}
    POST /api/sites/{site}/audits/{audit}/finish       {"devices", "finished"}

Only a write token for that very site may post; an audit belongs to the site that began it. Each call is
idempotent (a retry after a lost reply writes nothing twice): audits by id, hosts by audit and address.
Bodies are hostile input: capped in size and decoded by the model's own codec, which refuses anything else;
the codec takes scalars as sent, so every decoded object is then checked against its type hints (a Device
whose confidence was the string "high" made every dashboard page and `camaudit report` fail for all sites),
and every address must be an IP address and every port a port (as `camaudit import` demands of a file).
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from camaudit.model import Audit, Device, Observation, ProbeAttempt, from_dict, printable
from camaudit.store import RegisterError
from camaudit.values import is_address, normalise_mac
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


_AUDIT_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}\Z")  # scans name theirs with uuid4().hex
_HINTS: dict[type, dict[str, Any]] = {}
_ADDRESSES = frozenset({"ip", "ips"})  # fields of the model that hold device addresses
_PORTS = frozenset({"port", "ports"})
_TEXT = (str, datetime, date, bytes)  # the codec writes these as JSON strings


def _hints(cls: type) -> dict[str, Any]:
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = typing.get_type_hints(cls)
    return found


def _fits(hint: Any, value: Any) -> bool:
    """Whether a JSON value has the shape the model's codec writes for a field of type `hint`."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        return any(_fits(a, value) for a in typing.get_args(hint))
    if hint is Any:
        return True
    if hint is type(None):
        return value is None
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        return isinstance(value, list) and all(_fits(inner, v) for v in value)
    if origin is Mapping or hint is Mapping:
        item = (typing.get_args(hint) or (str, Any))[1]
        return isinstance(value, dict) and all(
            printable(k) == k and _fits(item, v)
            for k, v in value.items()  # JSON keys are strings
        )
    if not isinstance(hint, type):
        return False
    if dataclasses.is_dataclass(hint):
        fields = _hints(hint)
        return isinstance(value, dict) and all(
            k not in fields or _fits(fields[k], v) for k, v in value.items()
        )
    if hint is bool:
        return isinstance(value, bool)
    if hint in (int, float):
        return isinstance(value, int | float if hint is float else int) and not isinstance(value, bool)
    return issubclass(hint, (*_TEXT, StrEnum)) and isinstance(value, str)


def _wrong(obj: Any) -> str | None:
    """What a decoded model object holds that no scanner sends (an address that is not an IP address, a
    port outside 0-65535, a MAC that is none, a time without its UTC offset), or None."""
    if isinstance(obj, Audit) and not _AUDIT_ID.match(obj.id):
        return "Audit.id must be 1-64 letters, digits, '-' or '_'"
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        where = f"{type(obj).__name__}.{f.name}"
        many = value if isinstance(value, tuple) else (value,)
        if f.name in _ADDRESSES and not all(v is None or is_address(v) for v in many):
            return f"{where} is not an IP address"
        if f.name in _PORTS and not all(v is None or 0 <= v <= 65535 for v in many):
            return f"{where} is not a port"
        if f.name == "mac" and value is not None and normalise_mac(value) is None:
            return f"{where} is not a MAC address"
        if isinstance(value, datetime) and value.utcoffset() is None:
            return f"{where} has no UTC offset"
        for inner in many:
            if dataclasses.is_dataclass(inner) and (wrong := _wrong(inner)) is not None:
                return wrong
    return None


def _decoded(cls: type[Any], item: Any) -> Any:
    """One model object from the body: shaped as the codec writes it, decoded, and then checked."""
    if not isinstance(item, dict):
        raise Refused(400, f"not a {cls.__name__}: expected a JSON object")
    hints = _hints(cls)
    misfit = next((k for k, v in item.items() if k in hints and not _fits(hints[k], v)), None)
    if misfit is not None:
        raise Refused(400, f"not a {cls.__name__}: {misfit} is not of type {hints[misfit]}")
    try:
        obj = from_dict(cls, item)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise Refused(400, f"not a {cls.__name__}: {str(exc)[:200]}") from None
    wrong = _wrong(obj)
    if wrong is not None:
        raise Refused(400, f"not a {cls.__name__}: {wrong}")
    return obj


def _many(cls: type[Any], items: Any) -> list[Any]:
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise Refused(400, f"expected a list of at most {MAX_ITEMS} {cls.__name__} objects")
    return [_decoded(cls, x) for x in items]


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
    audit = _decoded(Audit, body.get("audit") or {})
    w = web(request)
    created = await w.writer.arun(w.writer.begin_site_audit, audit, request.path_params["site"])
    return {"audit": audit.id, "created": created}


@_api
async def host(request: Request) -> dict[str, Any]:
    audit_id = await _owned(request)
    body = await _body(request)
    ip = body.get("ip")
    if not isinstance(ip, str) or len(ip) > 64 or not is_address(ip):
        raise Refused(400, "a host needs its IP address")
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
    if finished.utcoffset() is None:
        raise Refused(400, "finished must name its UTC offset")
    w = web(request)
    await w.writer.arun(w.writer.finish_audit, audit_id, devices, finished)
    estate = await w.writer.arun(w.writer.record_estate)  # what every page now shows: all sites
    return {"audit": audit_id, "finished": True, "estate": estate}


ROUTES = [
    Route("/api/sites/{site}/audits", begin, methods=["POST"]),
    Route("/api/sites/{site}/audits/{audit_id}/hosts", host, methods=["POST"]),
    Route("/api/sites/{site}/audits/{audit_id}/finish", finish, methods=["POST"]),
]
