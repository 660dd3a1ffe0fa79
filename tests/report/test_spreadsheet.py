"""Reading a spreadsheet register: hostile files are bounded, bad rows are data, formulas stay text."""

from __future__ import annotations

import pytest

from camaudit.errors import BadImportFile
from camaudit.report.spreadsheet import (
    MAX_IMPORT_BYTES,
    ImportProblem,
    ImportRow,
    new_key,
    read_rows,
    safe_cell,
)


def test_rows_and_problems_by_line() -> None:
    data = "\ufeffIP,Site,Status,Acquired\n127.0.0.1,HQ,In service,2024-05-01\n"
    data += "127.0.0.2,,x,\n127.0.0.3,a,b,c,d\n"
    items = list(read_rows(data.encode("utf-8")))
    assert isinstance(items[0], ImportRow) and items[0].values["site"] == "HQ"
    assert str(items[0].values["acquired"]) == "2024-05-01"
    assert [(p.line, p.reason[:6]) for p in items[1:] if isinstance(p, ImportProblem)] == [
        (3, "status"),
        (4, "more c"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"x" * (MAX_IMPORT_BYTES + 1), "larger"),
        (b"ip\n\xff\xfe\n", "not UTF-8"),
        (b"site\nHQ\n", "no device"),
    ],
)
def test_files_that_are_refused_whole(data: bytes, message: str) -> None:
    with pytest.raises(BadImportFile, match=message):
        list(read_rows(data))


def test_formula_cells_are_quoted_and_read_back() -> None:
    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@A1", "plain", None)] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@A1",
        "plain",
        "",
    ]
    [row] = list(read_rows(b"ip,notes\n127.0.0.1,'=1+1\n"))
    assert isinstance(row, ImportRow) and row.values["notes"] == "=1+1"


def test_new_keys_prefer_mac_then_serial_then_address() -> None:
    assert new_key({"ip": "10.0.0.1", "mac": "AA:BB:CC:00:11:22"}) == "mac:aa:bb:cc:00:11:22"
    assert new_key({"ip": "10.0.0.1", "serial": "S1"}) == "serial:S1"
    with pytest.raises(ValueError, match="id alone"):
        new_key({"id": "4"})
