"""Inputs that once crashed an import reader under `make fuzz` (fuzz/corpus/import_file/crash-*): each is
read again here and must end in problems, never in an exception. The fuzz corpus test replays them too;
these say what each one was."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from camaudit.sources.imports import ImportProblem, censys, masscan, nessus, nmap_xml, read_file, shodan, zmap

CRASHES = Path(__file__).resolve().parents[3] / "fuzz" / "corpus" / "import_file"


def test_crash_4b59d21f_corrupt_zstd_frame_is_a_problem() -> None:
    # A Zstandard magic followed by a corrupt block: zstandard raised its own ZstdError (not an OSError
    # or ValueError), which escaped `camaudit import` as a traceback.
    items = list(read_file(CRASHES / "crash-4b59d21f69b8da18a262d4898d548c1725223ced"))
    assert len(items) == 1 and isinstance(items[0], ImportProblem) and items[0].fatal
    assert "zstd stream broken" in items[0].reason


def test_crash_1bab791b_carriage_return_inside_a_zmap_line_is_a_problem() -> None:
    # A ZMap CSV whose second line holds a lone carriage return: csv.reader raised csv.Error
    # ("new-line character seen in unquoted field") out of the reader.
    items = list(read_file(CRASHES / "crash-1bab791b119c2bfa7cb59120f5ba3f0ac33fe877"))
    problems = [i for i in items if isinstance(i, ImportProblem)]
    assert problems[0].where == "line 2" and "not a CSV line" in problems[0].reason
    assert len(items) > 1  # the lines after it are still read


def test_zmap_lone_carriage_return_skips_only_that_line() -> None:
    data = b"saddr,sport\n192.0.2.1\r9,80\n192.0.2.2,80\n"
    items = list(zmap.read(io.BytesIO(data)))
    assert isinstance(items[0], ImportProblem) and items[0].where == "line 2"
    assert [getattr(i, "ip", None) for i in items[1:]] == ["192.0.2.2"]


def test_crash_36f6dbc8_infinite_port_in_json_is_skipped() -> None:
    # Found reading the readers beside the fuzz run, kept with the fuzz inputs (fuzz/corpus/import_json;
    # its first byte picks masscan_json): Python's json reads `Infinity` as a float, and int() of it
    # raises OverflowError, which neither `port_of` nor the record guard caught (masscan, Shodan, Censys).
    data = (CRASHES.parent / "import_json" / "crash-36f6dbc84d8e8476eae1fedae45ab9e0a684cf2f").read_bytes()
    assert list(masscan.read_json(io.BytesIO(data[1:]))) == []  # no port it can use: nothing recorded
    banner = b'{"ip_str": "192.0.2.9", "_shodan": {}, "port": Infinity, "data": ""}\n'
    [problem] = list(shodan.read(io.BytesIO(banner)))
    assert isinstance(problem, ImportProblem) and "needs 'ip_str' and 'port'" in problem.reason
    host = b'{"ip": "192.0.2.9", "services": [{"port": Infinity, "service_name": "HTTP"}]}\n'
    assert list(censys.read(io.BytesIO(host))) == []


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("crash-8ce800e8ef9487e254290bfce3c15d4ff399fd25", "unknown encoding"),
        ("crash-190816840bd7bbed3f9fb83d10eb164ca382d9e6", "multi-byte encodings are not supported"),
    ],
)
def test_crash_xml_declared_encoding_expat_cannot_read_is_fatal_problem(name: str, said: str) -> None:
    # Found reading the readers beside the fuzz run, kept with the fuzz inputs (fuzz/corpus/import_xml;
    # first byte: nmap_xml): `<?xml … encoding="x-unknown"?>` made expat raise LookupError, and
    # encoding="utf-32" ValueError, out of nmap -oX, masscan -oX and Nessus reading.
    data = (CRASHES.parent / "import_xml" / name).read_bytes()
    for read in (nmap_xml.read, nessus.read):
        [problem] = list(read(io.BytesIO(data[1:])))
        assert isinstance(problem, ImportProblem) and problem.fatal and said in problem.reason
