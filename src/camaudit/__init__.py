"""camaudit: audit a surveillance-camera estate.

Discover cameras, identify who really made them, assess them safely, and report.
"""

from camaudit.errors import CamauditError, InputError, ProtocolError, ScopeError
from camaudit.model import Audit, Device, Evidence, Finding, Observation, ProbeAttempt

__version__ = "0.1.0"

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
    "ScopeError",
    "__version__",
]
