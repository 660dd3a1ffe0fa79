"""Policy's inputs from the register (latest audit, devices as last seen, progress) or a scan file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.store.conftest import hik, record_audit

from camaudit.errors import InputError
from camaudit.report.inputs import from_register, from_scan_json, load_inputs
from camaudit.report.views.devices import device_json
from camaudit.store import Register


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "register.sqlite"
    with Register(path) as register:
        record_audit(register, "a" * 32, [hik("127.0.0.1"), hik("127.0.0.2", serial="SN-2")])
        record_audit(register, "b" * 32, [hik("127.0.0.1")], days=7)
    return path


def test_inputs_from_the_register_and_from_a_scan_file_judge_the_same_device(
    db: Path, tmp_path: Path
) -> None:
    registered = from_register(db)
    scan = tmp_path / "scan.json"
    scan.write_text(json.dumps({"devices": [device_json(d) for d in registered.devices]}), encoding="utf-8")
    from_file = from_scan_json(str(scan))
    assert [d.key for d in from_file.devices] == [d.key for d in registered.devices]
    assert from_file.audit_id is None and registered.audit_id == "b" * 32
    assert [a.audit_id for a in registered.history] == ["a" * 32, "b" * 32]
    scan.write_text("[]", encoding="utf-8")
    with pytest.raises(InputError, match="not a camaudit scan JSON"):
        from_scan_json(str(scan))


def test_a_device_gone_from_the_latest_audit_is_still_judged_as_last_seen(db: Path) -> None:
    inputs = load_inputs(db, None)
    present = {t.device.serial: t.present for t in inputs.tracked}
    assert present == {"DS-2CD2347G2-LU20230101AAWRJ1": True, "SN-2": False}
