"""Guards for the verifications: registered, tested, and structurally unable to do more than read."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import camaudit.assess.verify as verify_pkg
from camaudit.assess.verify import VERIFICATIONS

FOLDER = Path(verify_pkg.__file__).parent
BANNED_MODULES = {
    "socket",
    "ssl",
    "asyncio",
    "http.client",
    "urllib.request",
    "urllib3",
    "aiohttp",
    "httpx",
    "requests",
    "subprocess",
    "camaudit.net.connector",  # only _base may hold the Connector type
    "camaudit.net.tcp",
    "camaudit.net.udp",
}
BANNED_NAMES = {
    "open_connection",
    "create_connection",
    "create_datagram_endpoint",
    "sock_connect",
    "exchange_tcp",
    "exchange_udp",
    "connect_tcp",
    "build_request",
    "_make",
    "_KEY",
    "payload",
}


def _modules() -> list[str]:
    return [m.name for m in pkgutil.iter_modules([str(FOLDER)]) if not m.name.startswith("_")]


def _names(path: Path) -> tuple[set[str], set[str]]:
    modules: set[str] = set()
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add(node.module or "")
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Name):
            names.add(node.id)
    return modules, names


def test_every_verification_module_is_registered_and_tested() -> None:
    ids = [v.id for v in VERIFICATIONS]
    assert len(ids) == len(set(ids))
    for name in _modules():
        module = importlib.import_module(f"camaudit.assess.verify.{name}")
        assert any(v is module.VERIFICATION for v in VERIFICATIONS), name
        assert (Path(__file__).parent / f"test_{name}.py").exists(), name


def test_no_verification_can_open_a_socket_or_build_its_own_request() -> None:
    """Verifications read only through `_base.fetch` (one fixed GET/HEAD, body discarded there)."""
    for name in _modules():
        modules, names = _names(FOLDER / f"{name}.py")
        assert not modules & BANNED_MODULES, f"{name} imports {modules & BANNED_MODULES}"
        assert not names & BANNED_NAMES, f"{name} uses {names & BANNED_NAMES}"


def test_the_shared_helper_sends_only_read_only_requests() -> None:
    modules, names = _names(FOLDER / "_base.py")
    assert not modules & (BANNED_MODULES - {"camaudit.net.connector"})
    assert {"http_get", "http_head", "exchange_tcp"} <= names
    assert not names & {"exchange_udp", "open_connection", "create_connection", "build_request", "_make"}
