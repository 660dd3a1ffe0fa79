"""A record whose address is not an IP address (masscan -oL and nmap -oX take it as written) is a
problem, never a host: found reading the readers beside the fuzz run, when `camaudit import` recorded a
device at "not-an-ip" (and would have carried a terminal escape in that field as far as the register)."""

from __future__ import annotations

from pathlib import Path

from camaudit.sources.imports import ImportProblem, Record, read_file


def test_masscan_list_line_with_a_non_address_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "scan.lst"
    path.write_bytes(b"#masscan\nopen tcp 80 not\x1b[2J-an-ip 1700000000\nopen tcp 80 192.0.2.5 1700000000\n")
    items = list(read_file(path))
    assert isinstance(items[0], ImportProblem) and items[0].where == "line 2"
    assert "not an IP address" in items[0].reason and "\x1b" not in items[0].reason
    assert [i.ip for i in items if isinstance(i, Record)] == ["192.0.2.5"]


def test_nmap_host_named_by_a_host_name_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "scan.xml"
    path.write_bytes(
        b'<?xml version="1.0"?>\n<nmaprun scanner="nmap"><host><status state="up"/>'
        b'<address addr="camera.example" addrtype="ipv4"/><ports><port protocol="tcp" portid="80">'
        b'<state state="open"/></port></ports></host>'
        b'<host><status state="up"/><address addr="2001:db8::5" addrtype="ipv6"/><ports>'
        b'<port protocol="tcp" portid="80"><state state="open"/></port></ports></host></nmaprun>\n'
    )
    records = [i for i in read_file(path) if isinstance(i, Record)]
    problems = [i for i in read_file(path) if isinstance(i, ImportProblem)]
    assert [r.ip for r in records] == ["2001:db8::5"]
    assert problems[0].where == "host camera.example"
