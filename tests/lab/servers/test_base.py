"""Registry guard (STYLE.md R2) and the shared server helpers."""

from __future__ import annotations

import importlib
import pkgutil

import camaudit.lab.servers as servers_pkg
from camaudit.lab.profile import PROTOCOLS
from camaudit.lab.servers import SERVERS, server_for
from camaudit.lab.servers.base import ServerKind


def test_every_server_module_is_registered() -> None:
    registered = {id(kind) for kind in SERVERS}
    for info in pkgutil.iter_modules(servers_pkg.__path__):
        if info.name in ("base", "auth"):  # helpers, not servers
            continue
        module = importlib.import_module(f"camaudit.lab.servers.{info.name}")
        kinds = [v for v in vars(module).values() if isinstance(v, ServerKind)]
        assert kinds, f"{info.name} exposes no ServerKind"
        assert all(id(k) in registered for k in kinds), f"{info.name} is missing from SERVERS"


def test_every_profile_protocol_has_exactly_one_server() -> None:
    for protocol in PROTOCOLS:
        assert sum(protocol in kind.protocols for kind in SERVERS) == 1, protocol
        assert server_for(protocol) in SERVERS
