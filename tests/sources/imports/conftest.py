"""Shared helpers: the real published samples in tests/data/imports (see PROVENANCE.md there)."""

from __future__ import annotations

from pathlib import Path

from camaudit.sources.imports import ImportProblem, Item, Record

DATA = Path(__file__).resolve().parents[2] / "data" / "imports"


def split(items: list[Item]) -> tuple[list[Record], list[ImportProblem]]:
    records = [i for i in items if isinstance(i, Record)]
    problems = [i for i in items if isinstance(i, ImportProblem)]
    return records, problems


def kinds(record: Record) -> dict[tuple[int | None, str], dict[str, str]]:
    """(port, kind) -> fields, the last observation of each kind winning."""
    return {(o.port, o.kind): dict(o.fields) for o in record.observations}
