"""Alembic migrations of the register, shipped in the package and run by `camaudit.store.engine.upgrade`.

Each file in `versions/` is one numbered step that runs in one transaction. A step is a frozen snapshot:
it never imports `camaudit.store.schema` (which describes the newest tables only).
"""
