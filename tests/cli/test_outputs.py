"""Output paths are checked before any work; data that cannot be written goes to a fallback file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
import pytest

from camaudit.cli.outputs import at_or_above, check_writable, fallback_dir, save_json, unwritable
from camaudit.model import Finding, FindingKind, Severity


def test_unwritable_paths_are_named_with_the_reason(tmp_path: Path) -> None:
    assert unwritable("-") is None and unwritable(str(tmp_path / "new.json")) is None
    assert unwritable(str(tmp_path)) == "it is a directory"
    assert "does not exist" in (unwritable(str(tmp_path / "no" / "such.json")) or "")
    with pytest.raises(click.BadParameter, match="cannot write"):
        check_writable(str(tmp_path / "no" / "such.json"), "--json")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        assert "not writable" in (unwritable(str(tmp_path / "x.json")) or "")
    finally:
        tmp_path.chmod(0o700)


def test_a_failed_write_lands_in_the_fallback_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    target = tmp_path / "gone" / "x.json"  # its folder vanished after the check
    fallback, error = save_json({"a": 1}, str(target), "scan-abc.json")
    assert error and fallback == fallback_dir() / "scan-abc.json"
    assert json.loads(fallback.read_text()) == {"a": 1}
    assert save_json({"a": 1}, str(tmp_path / "ok.json"), "n") == (None, None)


def test_fail_on_counts_findings_at_or_above_the_severity() -> None:
    found = [Finding(f"c-{s.value}", FindingKind.EXPOSURE, s, "t", status="affected") for s in Severity]
    assert [f.check_id for f in at_or_above(found, "high")] == ["c-critical", "c-high"]
    assert len(at_or_above(found, "info")) == len(found)
