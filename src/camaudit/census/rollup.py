"""Partial counts (Parquet, one file per shard, from this run or earlier ones) → the census table.

DuckDB, embedded, answers the roll-up: it reads the Parquet files itself (its Parquet reader is built
in) and is told never to download an extension. Three units, per group of the `--by` dimensions:

- banners: records (Shodan's unit: one service on one port at one time);
- addresses: distinct (address, time window): what the published studies call "networks";
- devices: distinct stable identifiers (layer-2 MAC, maker + serial, certificate fingerprint), and
  the address for a record that shows none; an identifier seen on more than `SHARED_KEY` addresses
  is a shared default (one certificate on every unit of a model, a zeroed serial), not a device, and
  counts by address instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from camaudit.census.classify import DIMENSIONS

SHARED_KEY = 8  # addresses one stable identifier may show before it is taken for a shared default
MEMORY_LIMIT = "256MB"  # DuckDB spills to its temporary directory beyond this
UNITS = ("banners", "addresses", "devices")


@dataclass(slots=True)
class Table:
    """The roll-up: one row per group, and totals over every record (not the sum of the rows)."""

    by: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


def connect(temp_dir: str | None = None) -> Any:
    import duckdb

    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,  # never download anything (DESIGN.md)
        "autoload_known_extensions": False,
    }
    con = duckdb.connect(":memory:", config=config)
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET threads = 2")
    con.execute("SET preserve_insertion_order = false")  # lets large results stream and spill
    if temp_dir:
        con.execute("SET temp_directory = ?", [temp_dir])
    return con


def _source(con: Any, paths: Sequence[str]) -> None:
    """A view ``counted`` over the partials, with each row's device key resolved (see module doc)."""
    # A view takes no parameters: the paths are written as SQL string literals, quotes doubled.
    files = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    con.execute(f"CREATE OR REPLACE VIEW raw AS SELECT * FROM read_parquet([{files}])")  # noqa: S608
    having = f"HAVING count(DISTINCT ip) > {SHARED_KEY}"
    shared = f"CREATE OR REPLACE TEMP TABLE shared AS SELECT device FROM raw WHERE device NOT LIKE 'ip:%' GROUP BY device {having}"  # noqa: S608, E501
    con.execute(shared)
    con.execute(
        "CREATE OR REPLACE VIEW counted AS SELECT raw.* EXCLUDE (device), "
        "CASE WHEN shared.device IS NULL THEN raw.device ELSE 'ip:' || raw.ip END AS device "
        "FROM raw LEFT JOIN shared ON raw.device = shared.device"
    )


def _units_sql(by: Sequence[str]) -> str:
    """One query of the three units per group of `by` (names already checked against DIMENSIONS).

    Each distinct count is a DISTINCT sub-query grouped again, not ``count(DISTINCT …)``: DuckDB's
    grouped aggregation spills to disk under its memory limit, so the roll-up stays within bounds
    whatever the number of addresses.
    """
    cols = ", ".join(f'"{d}"' for d in by)
    keys = f"{cols}, " if by else ""
    join = " USING (" + cols + ")" if by else " ON TRUE"
    group = f" GROUP BY {cols}" if by else ""
    pairs = f'SELECT DISTINCT {keys}ip, "window" FROM counted'  # noqa: S608
    devices = f"SELECT DISTINCT {keys}device FROM counted"  # noqa: S608
    banners = f"SELECT {keys}sum(banners)::BIGINT AS banners FROM counted{group}"  # noqa: S608
    return (
        f"WITH b AS ({banners}), "  # noqa: S608
        f"a AS (SELECT {keys}count(*) AS addresses FROM ({pairs}){group}), "
        f"d AS (SELECT {keys}count(*) AS devices FROM ({devices}){group}) "
        f"SELECT {keys}banners, addresses, devices FROM b JOIN a{join} JOIN d{join}"
    )


def rollup(paths: Sequence[str], by: Sequence[str], temp_dir: str | None = None) -> Table:
    """Rows grouped by `by` (dimension names of `DIMENSIONS`), largest first, and totals."""
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown --by dimension: {', '.join(unknown)} (known: {', '.join(DIMENSIONS)})")
    table = Table(tuple(by))
    if not paths:
        table.totals = dict.fromkeys(UNITS, 0)
        return table
    con = connect(temp_dir)
    try:
        _source(con, paths)
        if by:
            order = ", ".join(f'"{d}"' for d in by)
            found = con.execute(f"{_units_sql(by)} ORDER BY banners DESC, {order}").fetchall()
            names = [*by, *UNITS]
            table.rows = [dict(zip(names, row, strict=True)) for row in found]
        total = con.execute(_units_sql(())).fetchone()
        table.totals = dict(zip(UNITS, (int(v or 0) for v in total or (0, 0, 0)), strict=True))
    finally:
        con.close()
    return table
