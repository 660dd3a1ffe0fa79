"""The dashboard: the register in a browser, and the central register that site scanners report into.

create_app(db)   the ASGI app (Starlette): pages with JSON twins, forms, the site API
app.py           who may do what (sessions, tokens, roles, CSRF, security headers)
pages.py forms.py ingest.py   the routes; data.py what they show (the report's views); auth.py
"""

from __future__ import annotations

from camaudit.web.factory import create_app

__all__ = ["create_app"]
