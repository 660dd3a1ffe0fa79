"""`camaudit diff` between two audits of the lab: one device removed, one firmware changed.

Two labs are started one after the other on the same addresses: the second without the Lorex camera and
with a copy of the Hikvision profile whose firmware is newer.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from click.testing import CliRunner
from tests.conftest import LabThread

from camaudit.cli import _register, cli
from camaudit.lab.profile import PROFILE_DIR, load_profile
from camaudit.lab.runner import Lab

PROFILES = ("axis-camera", "hikvision-ipc", "lorex-ipc")


def _run(args: list[str]) -> str:
    _register()
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _scan_lab(lab: Lab, addresses: dict[str, str], db: Path, targets: list[str] | None = None) -> None:
    runner = LabThread(lab)
    runner.start()
    try:
        chosen = targets or sorted(set(addresses.values()))
        _run(["scan", *chosen, "--db", str(db), "--rate", "2000", "--timeout", "1.5"])
    finally:
        runner.stop()


def test_diff_names_the_removed_device_and_the_new_firmware(tmp_path: Path) -> None:
    net = f"127.{random.randint(64, 250)}.{random.randint(0, 255)}"
    addresses = {p: f"{net}.{i + 1}" for i, p in enumerate(PROFILES)}
    db = tmp_path / "register.sqlite"
    _scan_lab(Lab(list(PROFILES), addresses=addresses), addresses, db)

    newer = tmp_path / "hikvision-ipc.yaml"
    text = (PROFILE_DIR / "hikvision-ipc.yaml").read_text(encoding="utf-8")
    newer.write_text(text.replace("V5.7.15", "V5.8.2").replace("230626", "240315"), encoding="utf-8")
    second = [load_profile(PROFILE_DIR / "axis-camera.yaml"), load_profile(newer)]
    kept = {p: a for p, a in addresses.items() if p != "lorex-ipc"}
    # the same scope again: the Lorex camera's address is looked at and no longer answers (gone)
    _scan_lab(Lab(second, addresses=kept), kept, db, sorted(set(addresses.values())))

    doc = json.loads(_run(["diff", "--db", str(db), "--json"]))
    assert [d["ip"] for d in doc["gone"]] == [addresses["lorex-ipc"]]
    assert doc["new"] == []
    [changed] = doc["changed"]
    assert changed["ip"] == addresses["hikvision-ipc"]
    assert {"field": "firmware", "before": "V5.7.15 build 230626", "after": "V5.8.2 build 240315"} in changed[
        "changes"
    ]

    text_out = _run(["diff", "--db", str(db)])
    assert (
        "- gone           #" in text_out
        and "firmware V5.7.15 build 230626 -> V5.8.2 build 240315" in text_out
    )
    both = json.loads(_run(["diff", doc["before"][:8], doc["after"][:8], "--db", str(db), "--json"]))
    assert both == doc


def test_diff_needs_two_audits(tmp_path: Path) -> None:
    from tests.store.conftest import hik, record_audit

    from camaudit.store import Register

    with Register(tmp_path / "r.sqlite") as register:
        record_audit(register, "a1", [hik()])
    _register()
    result = CliRunner().invoke(cli, ["diff", "--db", str(tmp_path / "r.sqlite")])
    assert result.exit_code == 2 and "no earlier finished scan audit" in result.stderr


def test_a_narrower_rescan_calls_what_it_did_not_look_at_not_re_audited(tmp_path: Path) -> None:
    """Second audit of two of the three addresses: the Lorex camera was removed from one of them (gone);
    the Axis camera is outside the second scope (not re-audited, its findings not resolved)."""
    net = f"127.{random.randint(64, 250)}.{random.randint(0, 255)}"
    addresses = {p: f"{net}.{i + 1}" for i, p in enumerate(PROFILES)}
    db = tmp_path / "register.sqlite"
    _scan_lab(Lab(list(PROFILES), addresses=addresses), addresses, db)
    kept = {"hikvision-ipc": addresses["hikvision-ipc"]}
    narrower = [addresses["hikvision-ipc"], addresses["lorex-ipc"]]
    _scan_lab(Lab(["hikvision-ipc"], addresses=kept), kept, db, narrower)

    doc = json.loads(_run(["diff", "--db", str(db), "--json"]))
    assert [d["ip"] for d in doc["gone"]] == [addresses["lorex-ipc"]]
    assert [d["ip"] for d in doc["not_reaudited"]] == [addresses["axis-camera"]]
    assert addresses["axis-camera"] not in {f["ip"] for f in doc["resolved_findings"]}
    assert (
        doc["resolved_findings"] == []
    )  # the Hikvision camera still has its findings; the rest were not seen
    assert doc["to"]["scope_size"] == 2 and doc["from"]["scope_size"] == 3

    text_out = _run(["diff", "--db", str(db)])
    assert "= not re-audited: 1 device(s) outside the later audit's scope" in text_out
    assert addresses["axis-camera"] in text_out and "- gone" in text_out

    _register()
    result = CliRunner().invoke(
        cli, ["report", "--db", str(db), "-f", "json", "-o", str(tmp_path / "r.json")]
    )
    assert result.exit_code == 0, result.stderr
    changes = json.loads((tmp_path / "r.json").read_text())["changes"]
    assert [d["ip"] for d in changes["not_reaudited"]] == [addresses["axis-camera"]]
    assert [d["ip"] for d in changes["gone"]] == [addresses["lorex-ipc"]]
