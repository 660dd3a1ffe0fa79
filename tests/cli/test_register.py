"""`camaudit register export` / `import`: a spreadsheet round trip that only touches people's fields."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner
from tests.store.conftest import hik, record_audit

from camaudit.cli import _register, cli
from camaudit.store import DeviceStatus, Reader, Register


def _run(args: list[str]) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def _db(tmp_path: Path) -> Path:
    db = tmp_path / "r.sqlite"
    with Register(db) as register:
        record_audit(register, "a1", [hik(), hik("127.0.0.2", serial="S2", model="=cmd|' /C calc'!A0")])
    return db


def test_export_edit_import_round_trip(tmp_path: Path) -> None:
    db = _db(tmp_path)
    code, out, _ = _run(["register", "export", "--db", str(db)])
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["ip"] for r in rows] == ["127.0.0.1", "127.0.0.2"]
    assert rows[1]["model"].startswith("'=")  # a formula in a device string is quoted for spreadsheets
    rows[0].update(site="HQ", status="to replace", due="2027-03-31", firmware="forged")
    rows[1].update(notes="pole 3")
    edited = tmp_path / "edited.csv"
    with edited.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(
            [
                *rows,
                {**rows[0], "id": "", "key": "", "ip": "10.0.0.7", "mac": "", "serial": "", "site": "Depot"},
            ]
        )
    code, out, err = _run(["register", "import", str(edited), "--db", str(db)])
    assert code == 0, err
    assert "2 device(s) updated, 1 added, 0 unchanged, 0 row(s) rejected" in out
    with Reader(db) as reader:
        devices = {r.device.ip: r for r in reader.register_devices()}
    assert (devices["127.0.0.1"].user.site, devices["127.0.0.1"].user.status) == (
        "HQ",
        DeviceStatus.TO_REPLACE,
    )
    assert devices["127.0.0.1"].device.firmware == "V5.7.3 build 220112"  # scanner fields are not imported
    assert devices["127.0.0.2"].user.notes == "pole 3"
    assert devices["127.0.0.2"].device.model == "=cmd|' /C calc'!A0"
    assert devices["10.0.0.7"].user.site == "Depot"


def test_bad_rows_are_reported_and_the_rest_applies(tmp_path: Path) -> None:
    db = _db(tmp_path)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "ip,site,status,due\n127.0.0.1,HQ,,\n127.0.0.2,,melted,\n,Nowhere,,\n127.0.0.2,,,31/12/2027\n"
    )
    code, out, err = _run(["register", "import", str(sheet), "--db", str(db)])
    assert code == 1  # rows were rejected: a script must notice
    assert "1 device(s) updated, 0 added, 0 unchanged, 3 row(s) rejected" in out
    assert f"{sheet}:3: status 'melted'" in err and f"{sheet}:4: no id" in err and f"{sheet}:5: due" in err


def test_a_sheet_without_a_device_column_is_refused(tmp_path: Path) -> None:
    db = _db(tmp_path)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("site,owner\nHQ,me\n")
    code, _, err = _run(["register", "import", str(sheet), "--db", str(db)])
    assert code == 2 and "names no device column" in err


def test_importing_what_was_exported_changes_nothing_and_says_so(tmp_path: Path) -> None:
    db = _db(tmp_path)
    sheet = tmp_path / "sheet.csv"
    code, _, _ = _run(["register", "export", "--db", str(db), "-o", str(sheet)])
    assert code == 0
    code, out, err = _run(["register", "import", str(sheet), "--db", str(db)])
    assert code == 0, err
    assert "0 device(s) updated, 0 added, 2 unchanged, 0 row(s) rejected" in out
    with Reader(db) as reader:
        history = [reader.status_history(r.id) for r in reader.register_devices()]
    assert all(len(h) == 1 for h in history)  # no status change was recorded by a no-op import


def _files_beside(db: Path) -> set[str]:
    return {p.name for p in db.parent.iterdir() if p.name.startswith(db.name)} - {db.name}


def test_read_commands_leave_no_wal_or_shm_beside_a_register_sound_or_corrupt(tmp_path: Path) -> None:
    db = _db(tmp_path)
    reads = [
        ["devices"],
        ["findings"],
        ["report", "-o", str(tmp_path / "r.html")],
        ["register", "export", "-o", str(tmp_path / "x.csv")],
    ]
    for args in reads:
        code, _, err = _run([*args, "--db", str(db)])
        assert code == 0, (args, err)
        assert _files_beside(db) == set(), args
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page: "database disk image is malformed"
    db.write_bytes(bytes(data))
    for args in reads:
        code, out, err = _run([*args, "--db", str(db)])
        assert code in (1, 2), args
        assert "malformed" in err and "Traceback" not in out + err, args
        assert _files_beside(db) == set(), args
