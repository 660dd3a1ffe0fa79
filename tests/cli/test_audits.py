"""`camaudit audits`: every audit with its kind, scope, times or partial progress, and device count;
how `devices`, `findings` and `report` choose an audit of the kind asked and say which."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from tests.store.conftest import T0, finding, hik, record_audit

from camaudit.cli import _register, cli
from camaudit.model import Audit
from camaudit.store import Reader, Register


def _run(args: list[str]) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def _register_with_kinds(db: Path) -> None:
    """A finished scan, then a later traffic audit, then a later scan stopped half way."""
    with Register(db) as register:
        record_audit(register, "a" * 32, [hik(findings=(finding(),))])
        traffic = Audit(id="b" * 32, started=T0 + timedelta(hours=1), scope=("capture.pcap",),
                        options={"kind": "traffic"})  # fmt: skip
        register.begin_audit(traffic)
        register.finish_audit(traffic.id, [], T0 + timedelta(hours=1, minutes=1))
        scope = ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4")
        register.begin_audit(Audit(id="c" * 32, started=T0 + timedelta(hours=2), scope=scope))


def test_audits_lists_kind_scope_and_partial(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    _register_with_kinds(db)
    code, out, _ = _run(["audits", "--db", str(db), "--json"])
    assert code == 0
    rows = json.loads(out)["audits"]
    assert [(a["id"][0], a["kind"], a["complete"]) for a in rows] == [
        ("a", "scan", True),
        ("b", "traffic", True),
        ("c", "scan", False),
    ]
    assert rows[0]["devices"] == 1 and rows[2]["scope_size"] == 4
    code, out, _ = _run(["audits", "--db", str(db)])
    assert code == 0 and "partial (0 of 4 hosts)" in out and "traffic" in out
    assert "Mon 2 Nov 2026, 09:00 UTC" in out and not re.search(r"\d{4}-\d\d-\d\dT", out)  # in words


def test_devices_show_the_latest_finished_scan_and_say_which(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    _register_with_kinds(db)
    code, out, err = _run(["devices", "--db", str(db), "--json"])
    assert code == 0 and json.loads(out)["audit"]["id"] == "a" * 32  # not the traffic audit after it
    code, out, err = _run(["devices", "--db", str(db)])
    assert code == 0 and "showing scan audit aaaaaaaaaaaa" in err
    assert "newer scan audit cccccccccccc is unfinished" in err
    code, out, err = _run(["devices", "--db", str(db), "--kind", "traffic", "--json"])
    assert code == 0 and json.loads(out)["audit"]["id"] == "b" * 32
    code, out, err = _run(["findings", "--db", str(db), "--audit", "ccc"])
    assert code == 0 and "PARTIAL" in err and "camaudit scan --resume cccccccccccc" in err
    assert "(PARTIAL)" in out


def test_a_register_with_only_a_partial_audit_shows_it_marked(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with Register(db) as register:
        audit = Audit(id="d" * 32, started=T0, scope=("10.0.0.1", "10.0.0.2"))
        register.begin_audit(audit)
    code, out, err = _run(["devices", "--db", str(db)])
    assert code == 0 and "PARTIAL" in err and "(PARTIAL)" in out
    code, _, err = _run(["report", "--db", str(db), "-f", "json", "-o", str(tmp_path / "r.json")])
    assert code == 0, err
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["audit"]["complete"] is False and doc["audit"]["progress_text"] == "partial: 0 of 2 hosts"
    with Reader(db) as reader:
        assert reader.audits()[0].complete is False
