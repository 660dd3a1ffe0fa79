"""Terminal escape injection (issue 13, item 1): a device's or a spreadsheet's control characters reach no
console, CSV, Markdown or HTML raw; each shows as a visible escape (``\\x1b``).

The hostile-escapes lab device sends ESC[2J and an OSC window title in its DHIP DeviceType and its
(URL-encoded) WS-Discovery hardware scope, C1 CSI (0x9b) and a right-to-left override in its ONVIF fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import start_lab
from tests.hostile import RAW_CONTROL

from camaudit.cli import _register, cli
from camaudit.lab.runner import Lab

PROFILES = ["hostile-escapes", "hikvision-ipc"]


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    runner = start_lab(profiles=PROFILES)
    try:
        yield runner.lab
    finally:
        runner.stop()


def _run(args: list[str]) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(cli, args, env={"COLUMNS": "250"})
    return result.exit_code, result.stdout, result.stderr


def _address(lab: Lab, profile: str) -> str:
    return next(e["address"] for e in lab.manifest() if e["profile"] == profile)


@pytest.fixture(scope="module")
def scanned(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str, dict[str, object]]:
    tmp = tmp_path_factory.mktemp("hostile")
    db, out_json = tmp / "r.sqlite", tmp / "scan.json"
    args = ["scan", _address(lab, "hostile-escapes"), "--db", str(db), "--json", str(out_json)]
    code, out, err = _run([*args, "--rate", "2000", "--timeout", "1.5", "--no-multicast"])
    assert code == 0, err
    return db, out, err, json.loads(out_json.read_text())


def test_scan_prints_no_terminal_control_and_shows_it_escaped(
    scanned: tuple[Path, str, str, dict[str, object]],
) -> None:
    _, out, err, _ = scanned
    assert not RAW_CONTROL.search(out + err), repr(out + err)
    assert "\\x1b[2J" in out and "Dahua" in out  # the table names makers as people write them


def test_the_model_holds_escaped_strings_from_every_protocol(
    scanned: tuple[Path, str, str, dict[str, object]],
) -> None:
    doc = scanned[3]
    values = json.dumps(doc, ensure_ascii=False)
    assert not RAW_CONTROL.search(values)
    device = doc["devices"][0]  # type: ignore[index]
    assert device["manufacturer"] == "dahua"
    evidence = {e["field"]: e["value"] for e in device["evidence"]}
    assert evidence.get("dhip.DeviceType") == "\\x1b[2J\\x1b]0;pwned\\x07"


def test_register_import_and_devices_show_controls_escaped(
    scanned: tuple[Path, str, str, dict[str, object]], lab: Lab, tmp_path: Path
) -> None:
    db = scanned[0]
    sheet = tmp_path / "sheet.csv"
    address = _address(lab, "hostile-escapes")
    sheet.write_text(f'ip,site,notes\n{address},"\x1b]0;owned\x07HQ","line1\nline2 \x1b[2J\u202egnp.exe"\n')
    code, out, err = _run(["register", "import", str(sheet), "--db", str(db)])
    assert code == 0, err
    code, out, err = _run(["devices", "--db", str(db)])
    assert code == 0, err
    assert not RAW_CONTROL.search(out + err), repr(out)
    assert "\\x1b]0;owned\\x07HQ" in out
    code, out, _ = _run(["register", "export", "--db", str(db)])
    assert not RAW_CONTROL.search(out.replace("\r\n", "\n")), repr(out)
    assert "\\u202egnp.exe" in out


@pytest.mark.parametrize("fmt", ["html", "csv", "json"])
def test_reports_show_controls_escaped(
    scanned: tuple[Path, str, str, dict[str, object]], fmt: str, tmp_path: Path
) -> None:
    target = tmp_path / f"report.{fmt}"
    code, _, err = _run(["report", "--db", str(scanned[0]), "-f", fmt, "-o", str(target)])
    assert code == 0, err
    written = "".join(p.read_text(encoding="utf-8") for p in tmp_path.iterdir())
    assert not RAW_CONTROL.search(written.replace("\r\n", "\n")), fmt
    assert "\\x1b[2J" in written or "\\\\x1b[2J" in written
