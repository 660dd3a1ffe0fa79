"""Guards for the PROBES registry (STYLE.md R2, sslyze's test_all_commands_are_implemented)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import camaudit.sources.probes as probes_pkg
from camaudit.model import Transport
from camaudit.sources.probes import PROBES, Stage

FOLDER = Path(probes_pkg.__file__).parent


def _probe_modules() -> list[str]:
    return [m.name for m in pkgutil.iter_modules([str(FOLDER)]) if not m.name.startswith("_")]


def test_every_probe_module_is_registered() -> None:
    registered = {p.name for p in PROBES}
    missing = [name for name in _probe_modules() if name not in registered]
    assert not missing, f"probe modules missing from PROBES: {missing}"


def test_every_module_exposes_the_probe_interface() -> None:
    for name in _probe_modules():
        module = importlib.import_module(f"camaudit.sources.probes.{name}")
        assert name == module.NAME
        assert module.PROBE.name == name and module.PROBE.run is module.probe
        assert module.PROBE.ports == module.PORTS and isinstance(module.STAGE, Stage)
        assert all(isinstance(p, int) and isinstance(t, Transport) for p, t in module.PORTS)
        if module.STAGE is Stage.FOLLOW:  # jobs come from the host's own observations, not from ports
            assert module.PROBE.plan is module.plan and module.PORTS == ()
        else:
            assert module.PROBE.plan is None


def test_follow_probes_are_listed_last() -> None:
    """Registry order mirrors run order: FOLLOW jobs need every other stage's observations."""
    stages = [p.stage for p in PROBES]
    first = stages.index(Stage.FOLLOW)
    assert all(s is Stage.FOLLOW for s in stages[first:])


def test_names_are_unique() -> None:
    names = [p.name for p in PROBES]
    assert len(names) == len(set(names))


def test_every_probe_has_a_test_file() -> None:
    here = Path(__file__).parent
    missing = [n for n in _probe_modules() if not (here / f"test_{n}.py").exists()]
    assert not missing


def test_no_probe_opens_sockets_itself() -> None:
    """Probes send only through the Connector: no socket/ssl/HTTP-client imports, no asyncio openers."""
    banned_modules = {"socket", "ssl", "http.client", "urllib.request", "aiohttp", "httpx", "requests"}
    banned_calls = {"open_connection", "create_connection", "create_datagram_endpoint", "sock_connect"}
    for path in FOLDER.glob("*.py"):
        modules: set[str] = set()
        attrs: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                modules.add(node.module or "")
            elif isinstance(node, ast.Attribute):
                attrs.add(node.attr)
        assert not modules & banned_modules, f"{path.name} imports {modules & banned_modules}"
        assert not attrs & banned_calls, f"{path.name} calls {attrs & banned_calls}"
