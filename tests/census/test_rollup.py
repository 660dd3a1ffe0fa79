"""The DuckDB roll-up: three units, totals over records, shared identifiers counted by address."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from camaudit.census.rollup import SHARED_KEY, rollup
from camaudit.census.shard import COLUMNS


def _partial(path: Path, rows: list[tuple[str, str, int, str, int]]) -> str:
    """Rows of (maker, ip, window, device, banners); the other dimensions empty."""
    data: dict[str, list[object]] = {c: [] for c in COLUMNS}
    for maker, ip, window, device, banners in rows:
        for c in COLUMNS:
            value: object = {
                "manufacturer": maker,
                "ip": ip,
                "window": window,
                "device": device,
                "banners": banners,
            }.get(c, "")
            data[c].append(value)
    pq.write_table(pa.table(data), path)
    return str(path)


def test_units_and_totals(tmp_path: Path) -> None:
    a = _partial(
        tmp_path / "a.parquet",
        [
            ("hikvision", "1.1.1.1", 0, "cert:aa", 2),
            ("hikvision", "2.2.2.2", 0, "cert:aa", 1),  # the same device at a second address
            ("dahua", "1.1.1.1", 0, "ip:1.1.1.1", 1),  # another service of the same address
        ],
    )
    b = _partial(tmp_path / "b.parquet", [("hikvision", "1.1.1.1", 2592000, "cert:aa", 1)])  # next window
    table = rollup([a, b], ("manufacturer",))
    rows = {r["manufacturer"]: (r["banners"], r["addresses"], r["devices"]) for r in table.rows}
    assert rows == {"hikvision": (4, 3, 1), "dahua": (1, 1, 1)}
    assert table.totals == {"banners": 5, "addresses": 3, "devices": 2}


def test_an_identifier_on_many_addresses_is_a_shared_default(tmp_path: Path) -> None:
    rows = [("hikvision", f"10.0.0.{i}", 0, "cert:default", 1) for i in range(SHARED_KEY + 1)]
    table = rollup([_partial(tmp_path / "a.parquet", rows)], ("manufacturer",))
    assert table.totals["devices"] == SHARED_KEY + 1


def test_bad_dimension_and_quotes_in_paths(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown --by"):
        rollup([], ("colour",))
    odd = tmp_path / "it's.parquet"
    table = rollup([_partial(odd, [("axis", "1.1.1.1", 0, "ip:1.1.1.1", 1)])], ("manufacturer",))
    assert table.rows == [{"manufacturer": "axis", "banners": 1, "addresses": 1, "devices": 1}]
