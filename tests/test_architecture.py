"""The arrows between the parts of camaudit (docs/architecture.md): allowed ones only, never a cycle.

Every import in src/ counts: at the top, inside a function, under TYPE_CHECKING. `from a.b import c` is an
arrow to the module `a.b.c` when there is one, else to `a.b`.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
NEVER_PRINT_OUTSIDE = ("cli", "demo")
SOCKETS = {"socket", "ssl", "asyncio", "selectors"}


def _name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def modules() -> dict[str, Path]:
    return {_name(p): p for p in sorted((SRC / "camaudit").rglob("*.py"))}


def _targets(node: ast.AST, here: str) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (a.name for a in node.names)
    elif isinstance(node, ast.ImportFrom) and node.module:
        base = node.module if not node.level else ".".join([*here.split(".")[: -node.level], node.module])
        for alias in node.names:
            full = f"{base}.{alias.name}"
            yield full if full in modules() else base


@functools.cache
def imports(module: str) -> frozenset[str]:
    """Every module (ours or not) that `module` imports, anywhere in it."""
    tree = ast.parse(modules()[module].read_text(encoding="utf-8"))
    return frozenset(t for node in ast.walk(tree) for t in _targets(node, module))


def ours(module: str) -> frozenset[str]:
    return frozenset(t for t in imports(module) if t in modules() and t != module)


def part(module: str) -> str:
    """`camaudit.report.views.devices` -> ``report``; the package itself is ``camaudit``."""
    return module.split(".")[1] if "." in module else module


@functools.cache
def allowed() -> dict[str, frozenset[str]]:
    """The 'may import' table of docs/architecture.md."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    table = text.split("<!-- arrows:begin -->")[1].split("<!-- arrows:end -->")[0]
    rows = {}
    for line in table.splitlines()[3:]:
        name, targets = (cell.strip() for cell in line.strip().strip("|").split("|"))
        rows[name.replace("\\", "")] = frozenset(t.strip() for t in targets.split(",") if t.strip())
    return rows


def arrows() -> Iterator[tuple[str, str]]:
    for module in modules():
        for target in ours(module):
            yield module, target


def test_every_part_has_a_row_and_every_row_a_part() -> None:
    assert {part(m) for m in modules()} == set(allowed())


def test_every_arrow_is_allowed() -> None:
    bad = [f"{m} -> {t}" for m, t in arrows() if part(t) != part(m) and part(t) not in allowed()[part(m)]]
    assert bad == [], "arrows not in docs/architecture.md:\n" + "\n".join(bad)


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), smallest name first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(ours(v)):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while (w := stack.pop()) != v:
                group.append(w)
            group.append(v)
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(modules()):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle() -> None:
    assert _cycles() == []


def _part_imports(name: str) -> set[str]:
    return {t for m in modules() if part(m) == name for t in ours(m)}


@pytest.mark.parametrize(
    ("source", "never", "why"),
    [
        ("protocols", r"camaudit\.(net|sources)\b", "codecs know no sockets"),
        ("model", r"camaudit\b", "the model depends on nothing"),
        ("lab", r"camaudit\.(identify|assess|data)\b", "the lab never borrows the detector's knowledge"),
        ("data", r"camaudit\.(?!errors$|files$|model$|values$|data\b)", "data depends on nothing above it"),
        ("store", r"camaudit\.(pipeline|report|cli)\b", "the store never imports the pipeline or a view"),
        ("policy", r"camaudit\.(store|report|pipeline)\b", "policy is given its inputs"),
        (
            "cli",
            r"camaudit\.(identify|data|net\.(?!limits$)|sources\.(probes|passive\.(?!summary$)|multicast|sweep)"
            r"|store\.(schema|rows|migrations))\b",
            "the CLI only parses and renders",
        ),
    ],
)
def test_arrows_never_allowed(source: str, never: str, why: str) -> None:
    bad = sorted(t for t in _part_imports(source) if re.match(never, t))
    assert bad == [], f"{why}: {source} imports {bad}"


def test_codecs_open_no_sockets() -> None:
    for module in (m for m in modules() if part(m) == "protocols"):
        assert not imports(module) & SOCKETS, module


def _prints(module: str) -> bool:
    tree = ast.parse(modules()[module].read_text(encoding="utf-8"))
    calls = (n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name))
    return any(c.func.id == "print" for c in calls)  # type: ignore[attr-defined]


def test_the_engine_never_prints() -> None:
    for module in (m for m in modules() if part(m) not in NEVER_PRINT_OUTSIDE):
        talks = {t for t in imports(module) if t.split(".")[0] in ("rich", "click")}
        assert not talks and not _prints(module), f"{module} writes to the terminal ({talks or 'print'})"


def test_the_guard_sees_the_arrows_it_should() -> None:
    """The resolver itself: a hidden (TYPE_CHECKING or in-function) import is still an arrow."""
    assert "camaudit.pipeline.scan" in ours("camaudit")  # under TYPE_CHECKING
    assert "camaudit.report.views.report" in ours("camaudit.report")  # inside `build`
    assert part("camaudit.report.views.devices") == "report" and part("camaudit") == "camaudit"
