"""`camaudit import --json`: the documented shape."""

from __future__ import annotations

from collections import Counter

from camaudit.pipeline.imports import ImportResult
from camaudit.report.views.imports import IMPORT_SCHEMA, import_json


def test_shape() -> None:
    result = ImportResult(
        audit_id="a1",
        formats={"scan.xml": "nmap_xml"},
        records=3,
        skipped=1,
        problems=["scan.xml: line 4: not JSON"],
        addresses=2,
        devices=2,
        makers=Counter({"hikvision": 1, "unknown": 1}),
        findings=Counter({"cve-2017-7921": 1}),
    )
    data = import_json(result)
    assert data["schema"] == IMPORT_SCHEMA and data["audit"] == "a1"
    assert data["files"] == [{"path": "scan.xml", "format": "nmap_xml"}]
    assert data["manufacturers"] == {"hikvision": 1, "unknown": 1}
    assert data["problems"] == ["scan.xml: line 4: not JSON"] and data["problems_not_shown"] == 0
    assert (data["records"], data["skipped"], data["addresses"], data["devices"], data["cut"]) == (
        3,
        1,
        2,
        2,
        False,
    )
