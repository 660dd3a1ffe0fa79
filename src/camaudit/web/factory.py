"""`create_app(db)`: the dashboard's routes (`pages`, `forms`, `ingest`) over one `app.Web` state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from camaudit.web import data, forms, ingest, pages
from camaudit.web.app import HERE, SecurityHeaders, Web, healthz, not_found


def create_app(
    db: str | Path | None,
    *,
    policy: data.PolicyChoice | None = (None, (), ()),
    secret: bytes | None = None,
) -> Starlette:
    """The dashboard over the register `db` (migrated first). `policy` as `report.build` takes it."""
    state = Web(db, policy, secret)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        state.close()

    routes = [
        Route("/healthz", healthz),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        *forms.ROUTES,
        *pages.ROUTES,
        *ingest.ROUTES,
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={404: not_found},
    )
    app.state.web = state
    return app
