"""Filtering, sorting and paging the report's devices; CSV cells safe from formulas."""

from __future__ import annotations

from typing import Any

from camaudit.web import data


def _device(
    ip: str, maker: str | None, site: str | None = None, findings: list[Any] | None = None
) -> dict[str, Any]:
    return {
        "ip": ip, "brand": maker, "manufacturer": maker, "model": "=HYPERLINK(1)", "firmware": None,
        "device_type": "ip_camera", "brand_name": maker or "unknown", "manufacturer_name": maker or "unknown",
        "type_name": "IP camera", "mac": None, "serial": None, "findings": findings or [],
        "register": {"id": int(ip.split(".")[-1]), "site": site, "status": "in_service", "owner": None,
                     "location": None, "notes": None, "key": f"ip:{ip}", "due": None},
    }  # fmt: skip


POLICY = {"kind": "policy", "check_id": "policy-us-ndaa-889", "status": "violates", "severity": "high"}
DEVICES = [
    _device("10.0.0.10", "dahua", "HQ", [POLICY]),
    _device("10.0.0.9", "hikvision"),
    _device("10.0.0.2", None),
]


def test_parse_query_is_forgiving() -> None:
    q = data.parse_query({"sort": "-site", "page": "0", "per": "100000", "maker": "x" * 500, "bogus": "1"})
    assert (q.sort, q.descending, q.page, q.per) == ("site", True, 1, data.MAX_PER_PAGE)
    assert len(q.filters["maker"]) == data.MAX_QUERY and "bogus" not in q.filters


def test_filters_and_numeric_address_order() -> None:
    ips = [d["ip"] for d in data.filtered(DEVICES, data.parse_query({}))]
    assert ips == ["10.0.0.2", "10.0.0.9", "10.0.0.10"]
    assert [d["ip"] for d in data.filtered(DEVICES, data.parse_query({"maker": "unknown"}))] == ["10.0.0.2"]
    assert [d["ip"] for d in data.filtered(DEVICES, data.parse_query({"site": "hq"}))] == ["10.0.0.10"]
    both = {"pack": "us-ndaa-889", "verdict": "violates"}
    assert [d["ip"] for d in data.filtered(DEVICES, data.parse_query(both))] == ["10.0.0.10"]
    assert data.filtered(DEVICES, data.parse_query({"pack": "us-ndaa-889", "verdict": "complies"})) == []


def test_pages() -> None:
    rows, pages = data.page(list(range(5)), data.parse_query({"per": "2", "page": "9"}))  # type: ignore[arg-type]
    assert (rows, pages) == ([4], 3)


def test_csv_cells_never_run_as_formulas() -> None:
    text = data.devices_csv(DEVICES)
    assert "'=HYPERLINK(1)" in text and "\n=" not in text and ",=" not in text
