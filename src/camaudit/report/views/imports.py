"""`camaudit import --json`: what an import read, skipped and found (the devices are in the register)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

IMPORT_SCHEMA = "camaudit.import/1"


class ImportSummary(Protocol):
    """What `import_json` shows of an import (`pipeline.imports.ImportResult` is one)."""

    @property
    def audit_id(self) -> str | None: ...
    @property
    def formats(self) -> Mapping[str, str]: ...
    @property
    def records(self) -> int: ...
    @property
    def skipped(self) -> int: ...
    @property
    def problems(self) -> Sequence[str]: ...
    @property
    def problems_dropped(self) -> int: ...
    @property
    def addresses(self) -> int: ...
    @property
    def devices(self) -> int: ...
    @property
    def makers(self) -> Mapping[str, int]: ...
    @property
    def findings(self) -> Mapping[str, int]: ...
    @property
    def cut(self) -> bool: ...


def import_json(result: ImportSummary) -> dict[str, Any]:
    """Counts by file, maker and finding; the first problems with file and line; whether a file was cut."""
    return {
        "schema": IMPORT_SCHEMA,
        "audit": result.audit_id,
        "files": [{"path": path, "format": fmt} for path, fmt in result.formats.items()],
        "records": result.records,
        "skipped": result.skipped,
        "addresses": result.addresses,
        "devices": result.devices,
        "manufacturers": dict(sorted(result.makers.items(), key=lambda kv: (-kv[1], kv[0]))),
        "findings": dict(sorted(result.findings.items(), key=lambda kv: (-kv[1], kv[0]))),
        "problems": list(result.problems),
        "problems_not_shown": result.problems_dropped,
        "cut": result.cut,
    }
