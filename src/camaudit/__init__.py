"""camaudit: audit a surveillance-camera estate.

Discover cameras, identify who really made them, assess them safely, and report.

    import camaudit
    result = camaudit.scan(["192.168.10.0/24"])      # read-only; public addresses refused
    for device in result.devices:
        print(device.ip, device.brand, device.manufacturer, device.model)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from camaudit.errors import CamauditError, InputError, ProtocolError, ScopeError
from camaudit.model import Audit, Device, Evidence, Finding, Observation, ProbeAttempt
from camaudit.version import __version__

if TYPE_CHECKING:
    from camaudit.pipeline.scan import ScanResult, scan
    from camaudit.scope import Scope

__all__ = [
    "Audit",
    "CamauditError",
    "Device",
    "Evidence",
    "Finding",
    "InputError",
    "Observation",
    "ProbeAttempt",
    "ProtocolError",
    "ScanResult",
    "Scope",
    "ScopeError",
    "__version__",
    "scan",
]

# The scanner pulls in the probes, the rules and the OUI table: load them only when asked for, so that
# `import camaudit` (and `camaudit --help`) stays fast.
_LAZY = {"scan": "camaudit.pipeline.scan", "ScanResult": "camaudit.pipeline.scan", "Scope": "camaudit.scope"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'camaudit' has no attribute {name!r}")
