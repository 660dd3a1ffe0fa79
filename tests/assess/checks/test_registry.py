"""Guards for the CHECKS registry (STYLE.md R2)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import camaudit.assess.checks as checks_pkg
from camaudit.assess.checks import CHECKS

FOLDER = Path(checks_pkg.__file__).parent


def _modules() -> list[str]:
    return [m.name for m in pkgutil.iter_modules([str(FOLDER)]) if not m.name.startswith("_")]


def test_every_check_module_is_registered_once() -> None:
    registered = [importlib.import_module(f"camaudit.assess.checks.{n}").CHECK for n in _modules()]
    assert all(any(c is r for c in CHECKS) for r in registered), "a check module is missing from CHECKS"
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))


def test_every_check_module_has_a_test_file() -> None:
    here = Path(__file__).parent
    assert [n for n in _modules() if not (here / f"test_{n}.py").exists()] == []
