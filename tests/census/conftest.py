"""Generated Shodan files with known counts (tests/census/shodan_records.py), made once per session."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shodan_records", HERE / "shodan_records.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["shodan_records"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def gen() -> ModuleType:
    return _generator()


@pytest.fixture(scope="session")
def generated(gen: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """4,000 banners, plain JSON lines, 9 corrupt lines among them."""
    path = tmp_path_factory.mktemp("census") / "shodan.json"
    return path, gen.write(path, 4000, seed=7, corrupt=9)


@pytest.fixture(scope="session")
def generated_gz(gen: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    path = tmp_path_factory.mktemp("census") / "shodan.json.gz"
    return path, gen.write(path, 2500, seed=11, corrupt=4)


def by_key(rows: list[dict[str, object]]) -> dict[tuple[object, object], tuple[object, object, object]]:
    return {(r["country"], r["manufacturer"]): (r["banners"], r["addresses"], r["devices"]) for r in rows}
