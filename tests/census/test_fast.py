"""The fast path counts every record exactly as the import reader and identification do."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from camaudit.census import fast
from camaudit.census.fast import content_key
from camaudit.census.shard import Shard, count
from camaudit.sources.imports._base import iso_time


def _rows(path: str) -> list[tuple[Any, ...]]:
    table = pq.read_table(path)
    return sorted(zip(*(table.column(c).to_pylist() for c in table.column_names), strict=True))


def test_fast_equals_the_reader(generated: tuple[Path, Any], tmp_path: Path) -> None:
    path, _ = generated
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    fast = count(Shard(str(path)), str(tmp_path / "a"), fast=True)
    slow = count(Shard(str(path)), str(tmp_path / "b"), fast=False)
    assert (fast.records, fast.skipped) == (slow.records, slow.skipped)
    assert [p.split(": ", 1)[1] for p in fast.problems] == [p.split(": ", 1)[1] for p in slow.problems]
    assert _rows(fast.path) == _rows(slow.path)


def test_content_key_ignores_where_and_when_only() -> None:
    one = {
        "ip_str": "1.2.3.4",
        "port": 80,
        "timestamp": "2025-12-09T10:00:00.000000",
        "location": {"country_code": "GB"},
        "data": "HTTP/1.1 200 OK\r\nDate: Tue, 09 Dec 2025 10:00:00 GMT\r\nServer: App-webs/\r\n\r\n",
    }
    two = {**one, "ip_str": "5.6.7.8", "timestamp": "2025-12-10T00:00:00.000000", "location": {}}
    two["data"] = one["data"].replace("09 Dec", "10 Dec")
    assert content_key(one) == content_key(two)
    assert content_key(one) != content_key({**one, "port": 8080})
    assert content_key(one) != content_key({**one, "data": one["data"].replace("App-webs/", "Webs")})
    assert content_key({**one, "ssl": {"chain": ["-----BEGIN CERTIFICATE-----"]}}) is None
    assert content_key(json.loads(json.dumps(one))) == content_key(one)


def test_blanking_keeps_offsets_when_lower_case_grows() -> None:
    # "İ".lower() is two characters: offsets found in a lower-cased copy must still fit the original,
    # or two different heads would blank to the same key (and share a verdict).
    head = "HTTP/1.1 200 OK\r\nX-Name: İİİİ\r\nDate: Mon, 01 Jan 2024\r\nServer: App-webs/\r\n\r\nDate: body"
    assert fast.blanked(head) == (
        "HTTP/1.1 200 OK\r\nX-Name: İİİİ\r\nDate: *\r\nServer: App-webs/\r\n\r\nDate: body"
    )
    assert fast.blanked("HTTP/1.1 200 OK\nETAG: 12\nexpires: 3") == "HTTP/1.1 200 OK\nETAG: *\nexpires: *"


def test_a_time_the_reader_refuses_gets_no_window_from_the_cache() -> None:
    # Found by the census_shodan fuzz target (its crash-17569773… input): minute 90 matched the day
    # cache's pattern, so a cached record was counted in its day's window while the reader (and the
    # first sighting) gave it none.
    from camaudit.census.classify import Classifier

    classifier = Classifier(30, offline_geo=False)
    path = fast.FastShodan(classifier)
    for stamp in ("2025-12-09T10:90:00.000000", "2025-12-09T24:00:00", "２０２５-12-09T10:00:00"):
        assert path._window(stamp) == classifier.window(None) == 0, stamp
    assert path._window("2025-12-09T10:00:00.123") == classifier.window(iso_time("2025-12-09T10:00:00"))


def test_place_values_equal_in_python_but_written_apart_stay_apart() -> None:
    # 1 == 1.0 == True: one cache key for the place text unless typed, so a later line's ASN true
    # was counted as the earlier line's "1" (the reader writes "True").
    from camaudit.sources.imports import shodan

    for asn in (1, 1.0, True):
        value = {"ip_str": "192.0.2.1", "asn": asn, "org": "x", "location": {"country_code": "GB"}}
        assert fast._place(value)[2] == shodan.meta_of(value)["asn"], asn


def test_a_date_value_the_parser_refuses_is_not_blanked() -> None:
    # Found by the census_shodan fuzz target (its crash-68a303b9… input): a DEL in a Date line makes
    # the whole reply malformed (no maker), so two replies differing only there must not share a key.
    good = "HTTP/1.1 200 OK\r\nDate: Tue, 09 Dec 2025\r\n\r\ntable.General.LockLoginTimes=5\r\n"
    bad = good.replace("Tue,", "Tue\x7f,")
    assert fast.blanked(good) != fast.blanked(bad) == bad
    assert fast.blanked(good.replace("Tue,", "T" * 300)) == good.replace("Tue,", "T" * 300)


def test_a_line_orjson_refuses_but_the_reader_reads_is_counted_as_the_reader_counts_it() -> None:
    # Found by the census_shodan fuzz target (its crash-e5c14c39… input): an encoded UTF-8 surrogate,
    # which orjson refuses and Python's json reads; the fast path called the line "not a JSON object".
    from camaudit.census.classify import Classifier

    line = b'{"ip_str": "192.0.2.9", "port": 80, "transport": "tcp", "data": "HTTP/1.0 200 OK\xed\xac\xac"}\n'
    got = list(fast.FastShodan(Classifier(30, offline_geo=False)).read(io.BytesIO(line)))
    assert [type(item).__name__ for item in got] == ["Counted"] and got[0].ip == "192.0.2.9"
