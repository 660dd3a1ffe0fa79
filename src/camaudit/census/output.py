"""A census written out: CSV, JSON (`{"by", "rows", "totals", "skipped", "method"}`), Parquet.

Each carries the method (CSV as ``#`` comment lines before the header, Parquet in its metadata), so
a count is never separated from how it was made. Cells are device and file strings (or come from another
run's partial files): controls are shown as escapes, and CSV cells that a spreadsheet would take for a
formula are prefixed with ``'`` (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from camaudit.census import CensusResult
from camaudit.census.rollup import UNITS
from camaudit.model import printable

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def as_json(result: CensusResult) -> dict[str, Any]:
    table = result.table
    return {
        "by": list(table.by),
        "rows": table.rows,
        "totals": table.totals,
        "skipped": result.skipped,
        "method": result.method,
    }


def json_text(result: CensusResult) -> str:
    return json.dumps(as_json(result), indent=2, ensure_ascii=False) + "\n"


def _cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = printable(value)
    return "'" + value if value.startswith(_FORMULA) else value


def csv_text(result: CensusResult) -> str:
    out = io.StringIO()
    for line in result.method.splitlines():
        out.write(f"# {line}\n")
    writer = csv.writer(out, lineterminator="\n")
    columns = [*result.table.by, *UNITS]
    writer.writerow(columns)
    for row in result.table.rows:
        writer.writerow([_cell(row[c]) for c in columns])
    writer.writerow(["total", *([""] * (len(result.table.by) - 1)), *(result.table.totals[u] for u in UNITS)])
    return out.getvalue()


def write_parquet(result: CensusResult, path: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = [*result.table.by, *UNITS]
    arrays = [
        pa.array([row[c] for row in result.table.rows], pa.int64() if c in UNITS else pa.string())
        for c in columns
    ]
    meta = {
        "camaudit.method": result.method,
        "camaudit.totals": json.dumps(result.table.totals),
        "camaudit.skipped": str(result.skipped),
    }
    schema = pa.schema([(c, a.type) for c, a in zip(columns, arrays, strict=True)], metadata=meta)
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), path)
