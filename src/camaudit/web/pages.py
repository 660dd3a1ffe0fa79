"""The dashboard's pages, each with a JSON twin (`/devices` and `/devices.json`, same parameters).

Every page reads the report's view of the latest audit (`web.data.Register.view`) or a register reader;
the JSON twin returns exactly what the page shows, before any HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from camaudit.store import RegisterError
from camaudit.web import charts, data
from camaudit.web.app import needs, refuse, render, web


def twin(request: Request, template: str, payload: Mapping[str, Any], **extra: Any) -> Response:
    if request.url.path.endswith(".json"):
        return JSONResponse(dict(payload))
    return render(request, template, {**payload, **extra})


async def _view(request: Request) -> dict[str, Any] | None:
    return await run_in_threadpool(web(request).data.view)


def _empty(request: Request) -> Response:
    return twin(request, "empty.html", {"audit": None, "message": "the register holds no finished audit yet"})


@needs("viewer")
async def overview(request: Request) -> Response:
    view = await _view(request)
    if view is None:
        return _empty(request)
    compliance = view.get("compliance") or {}
    plan = compliance.get("plan")
    payload = {
        "audit": view["audit"],
        "summary": view["summary"],
        "by_manufacturer": view["by_manufacturer"],
        "by_brand": view["by_brand"],
        "rebrands": view["rebrands"],
        "findings_by_severity": view["findings_by_severity"],
        "kev_findings": view["kev_findings"],
        "policy_packs": compliance.get("packs", []),
        "removal": {"summary": plan["summary"], "progress": plan["progress"], "history": plan["history"]}
        if plan
        else None,
    }
    pictures = {
        "manufacturer": charts.bar_chart(view["by_manufacturer"]),
        "brand": charts.bar_chart(view["by_brand"]),
        "severity": charts.bar_chart(view["findings_by_severity"], charts.SEVERITY_COLOURS),
        "progress": charts.progress_chart(plan["history"], plan["progress"]["covered"]) if plan else None,
    }
    return twin(request, "overview.html", payload, charts=pictures)


def _listing(
    view: Mapping[str, Any], params: Mapping[str, str]
) -> tuple[data.Query, list[Mapping[str, Any]]]:
    query = data.parse_query(params)
    return query, data.filtered(view["devices"], query)


@needs("viewer")
async def devices(request: Request) -> Response:
    view = await _view(request)
    if view is None:
        return _empty(request)
    query, chosen = _listing(view, request.query_params)
    if request.url.path.endswith(".csv"):
        body = data.devices_csv(chosen)
        disposition = 'attachment; filename="camaudit-devices.csv"'
        return Response(
            body, media_type="text/csv; charset=utf-8", headers={"content-disposition": disposition}
        )
    shown, pages = data.page(chosen, query)
    payload = {
        "audit": view["audit"]["id"],
        "total": len(chosen),
        "page": min(query.page, pages),
        "pages": pages,
        "per": query.per,
        "filters": dict(query.filters),
        "sort": ("-" if query.descending else "") + query.sort,
        "devices": [data.row(d) for d in shown],
    }
    saved = []
    who = request.state.who
    if who.user is not None:
        saved = await run_in_threadpool(web(request).reads.saved_filters, who.user.id)
    return twin(
        request, "devices.html", payload, query=query, options=data.options(view["devices"]), saved=saved
    )


def _device_id(request: Request) -> int:
    return int(request.path_params["device_id"])


@needs("viewer")
async def device(request: Request) -> Response:
    w, device_id = web(request), _device_id(request)
    found = await run_in_threadpool(w.data.device, device_id)
    if found is None:
        return refuse(request, 404, "no such device in the latest audit")
    who = request.state.who
    changes = (
        await run_in_threadpool(w.data.changes, device_id)
        if who.role in ("auditor", "operator", "admin")
        else None
    )
    traffic = await run_in_threadpool(w.data.traffic)
    egress = [f for f in traffic["findings"] if f["device"]["id"] == device_id]
    payload = {
        "device": found,
        "policy": [f for f in found["findings"] if f["kind"] == "policy"],
        "findings": [f for f in found["findings"] if f["kind"] != "policy"],
        "egress": egress,
        "changes": changes,
    }
    return twin(request, "device.html", payload, statuses=("in_service", "to_replace", "replaced", "removed"))


@needs("viewer")
async def findings(request: Request) -> Response:
    view = await _view(request)
    if view is None:
        return _empty(request)
    return twin(
        request, "findings.html", {"audit": view["audit"]["id"], "checks": data.findings_by_check(view)}
    )


@needs("viewer")
async def plan(request: Request) -> Response:
    view = await _view(request)
    if view is None:
        return _empty(request)
    compliance = view.get("compliance")
    payload = {
        "audit": view["audit"]["id"],
        "packs": compliance["packs"] if compliance else [],
        "violations": compliance["violations"] if compliance else [],
        "undetermined": compliance["undetermined"] if compliance else [],
        "plan": compliance["plan"] if compliance else None,
    }
    return twin(request, "plan.html", payload)


@needs("viewer")
async def audits(request: Request) -> Response:
    listed = await run_in_threadpool(web(request).data.audits)
    return twin(request, "audits.html", {"audits": listed})


@needs("viewer")
async def audit_diff(request: Request) -> Response:
    before, after = request.query_params.get("before", ""), request.query_params.get("after", "")
    if not before or not after:
        return refuse(request, 400, "choose two audits (before and after)")
    try:
        change = await run_in_threadpool(web(request).data.diff, before[:64], after[:64])
    except RegisterError as exc:
        return refuse(request, 404, str(exc))
    return twin(request, "diff.html", {"diff": change})


@needs("viewer")
async def traffic(request: Request) -> Response:
    return twin(request, "traffic.html", await run_in_threadpool(web(request).data.traffic))


@needs("auditor")
async def changes(request: Request) -> Response:
    listed = await run_in_threadpool(web(request).data.changes, None)
    if request.url.path.endswith(".csv"):
        disposition = 'attachment; filename="camaudit-change-log.csv"'
        headers = {"content-disposition": disposition}
        return Response(data.changes_csv(listed), media_type="text/csv; charset=utf-8", headers=headers)
    return twin(request, "changes.html", {"changes": listed})


def _twins(path: str, handler: Any, *suffixes: str) -> list[Route]:
    return [Route(path, handler), *(Route(path + s, handler) for s in suffixes)]


ROUTES = [
    *_twins("/", overview),
    Route("/overview.json", overview),
    *_twins("/devices", devices, ".json", ".csv"),
    *_twins("/devices/{device_id:int}", device, ".json"),
    *_twins("/findings", findings, ".json"),
    *_twins("/plan", plan, ".json"),
    *_twins("/audits", audits, ".json"),
    *_twins("/diff", audit_diff, ".json"),
    *_twins("/traffic", traffic, ".json"),
    *_twins("/changes", changes, ".json", ".csv"),
]
