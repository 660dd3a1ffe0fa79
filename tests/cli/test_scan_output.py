"""What `camaudit scan` shows when it ends: a table and a summary that agree, the resume command of a
stopped audit, a fallback file when --json cannot be written, --fail-on's exit status."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from camaudit.cli.progress import NORMAL, ScanDisplay
from camaudit.cli.scan_output import Outcome, device_table, finish, resume_command, summary_lines
from camaudit.model import Audit, Device, Finding, FindingKind, Severity
from camaudit.pipeline.progress import ScanProgress
from camaudit.pipeline.scan import ScanResult

HIGH = Finding("cve-x", FindingKind.VULNERABILITY, Severity.HIGH, "t", status="affected")
DEVICES = (
    Device(ips=("10.0.0.1",), brand="lorex", manufacturer="dahua", device_type="ip_camera", findings=(HIGH,)),
    Device(ips=("10.0.0.2",)),  # answered, told nothing: still a row
)


def _result(finished: bool = True) -> ScanResult:
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    audit = Audit("a" * 32, start, ("10.0.0.1", "10.0.0.2", "10.0.0.3"), {},
                  finished=start if finished else None)  # fmt: skip
    return ScanResult(audit, DEVICES, hosts_done=2 if not finished else 3)


def _outcome(tmp_path: Path, **kw: object) -> tuple[Outcome, Console]:
    err = Console(record=True, width=300)
    display = ScanDisplay(err, ScanProgress(), NORMAL)
    fields = {"json_out": None, "db": str(tmp_path / "r.sqlite"), "fail_on": None, **kw}
    return Outcome(display=display, **fields), err  # type: ignore[arg-type]


def test_the_table_and_the_summary_count_the_same_devices() -> None:
    console = Console(record=True, width=300)
    console.print(device_table(DEVICES))
    rows = [line for line in console.export_text().splitlines() if "10.0.0." in line]
    assert len(rows) == 2 and "Dahua (sold as Lorex)" in rows[0] and "not identified" in rows[1]
    assert summary_lines(_result(), 8.0)[0].startswith(
        "2 host(s) answered of 3 probed in 0:08: 1 identified (makers: Dahua 1), 1 not identified"
    )


def test_a_stopped_scan_prints_the_resume_command_and_exits_130(tmp_path: Path) -> None:
    outcome, err = _outcome(tmp_path, json_out=str(tmp_path / "partial.json"))
    with pytest.raises(SystemExit) as stopped:
        finish(_result(finished=False), outcome)
    assert stopped.value.code == 130
    text = err.export_text()
    assert "interrupted after 2 of 3 host(s)" in text
    assert f"camaudit scan --resume {'a' * 32} --db {tmp_path / 'r.sqlite'}" in text
    doc = json.loads((tmp_path / "partial.json").read_text())
    assert doc["complete"] is False and doc["hosts_done"] == 2 and len(doc["devices"]) == 2
    assert resume_command("abc", None) == "camaudit scan --resume abc"


def test_fail_on(tmp_path: Path) -> None:
    outcome, _ = _outcome(tmp_path, fail_on="high")
    with pytest.raises(SystemExit) as failed:
        finish(_result(), outcome)
    assert failed.value.code == 3
    outcome, _ = _outcome(tmp_path, fail_on="critical")
    finish(_result(), outcome)  # nothing that bad: returns normally (exit 0)


def test_json_that_cannot_be_written_goes_to_a_fallback_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    outcome, err = _outcome(tmp_path, json_out=str(tmp_path / "gone" / "scan.json"))
    with pytest.raises(SystemExit) as failed:
        finish(_result(), outcome)
    assert failed.value.code == 1
    saved = tmp_path / "data" / "camaudit" / "unsaved" / f"scan-{'a' * 32}.json"
    assert json.loads(saved.read_text())["devices"]
    text = err.export_text()
    assert f"written to {saved} instead" in text and "camaudit devices --audit aaaaaaaaaaaa" in text
