"""`camaudit annotate DEVICE --site … --status … --due …`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner
from tests.store.conftest import hik, record_audit

from camaudit.cli import _register, cli
from camaudit.store import DeviceStatus, Reader, Register


def _run(args: list[str]) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def test_annotate_by_address_then_clear_a_field(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with Register(db) as register:
        record_audit(register, "a1", [hik()])
    code, out, err = _run(
        [
            "annotate",
            "127.0.0.1",
            "--db",
            str(db),
            "--site",
            "HQ",
            "--owner",
            "facilities",
            "--status",
            "to_replace",
            "--due",
            "2027-03-31",
        ]
    )
    assert code == 0, err
    assert "site=HQ" in out and "due=2027-03-31" in out
    assert _run(["annotate", "1", "--db", str(db), "--owner", ""])[0] == 0
    with Reader(db) as reader:
        [record] = reader.devices("a1")
        history = reader.status_history(record.id)
    assert (record.user.site, record.user.owner, record.user.status, record.user.due) == (
        "HQ",
        None,
        DeviceStatus.TO_REPLACE,
        date(2027, 3, 31),
    )
    assert [c.status for c in history] == [DeviceStatus.IN_SERVICE, DeviceStatus.TO_REPLACE]


def test_annotate_refusals(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with Register(db) as register:
        record_audit(register, "a1", [hik()])
    assert _run(["annotate", "127.0.0.1", "--db", str(db)])[0] == 2  # nothing to set
    assert _run(["annotate", "127.0.0.1", "--db", str(db), "--status", "melted"])[0] == 2
    assert _run(["annotate", "127.0.0.1", "--db", str(db), "--due", "soon"])[0] == 2
    code, _, err = _run(["annotate", "127.9.9.9", "--db", str(db), "--site", "x"])
    assert code == 2 and "no device matches" in err
