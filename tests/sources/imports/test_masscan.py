"""masscan -oJ (a real file from DefectDojo's unit tests, BSD-3-Clause), -oL and -oX.

No real -oL / -oX file with banners under a permissive licence was found: those two tests use the lines
masscan's README ("Output formats") and its src/out-text.c / src/out-xml.c write.
"""

from __future__ import annotations

import io

from camaudit.sources.imports import detect, masscan, nmap_xml, read_file

from .conftest import DATA, kinds, split


def test_json_file_one_record_per_port() -> None:
    records, problems = split(list(read_file(DATA / "masscan_many.json")))
    assert problems == []
    assert {r.ip for r in records} == {"172.29.0.3"}
    assert sorted(p for r in records for p in r.ports) == [80, 3000, 8080, 8443]
    assert detect((DATA / "masscan_many.json").read_bytes()) is masscan.JSON_FORMAT


def test_json_banner_is_a_response() -> None:
    line = (
        b'[\n{"ip": "10.0.0.5", "timestamp": "1700000000", "ports": [{"port": 80, "proto": "tcp", "service": '
        b'{"name": "http", "banner": "HTTP/1.1 200 OK\\r\\nServer: Boa/0.94.14rc21\\r\\n\\r\\n"}}]}\n,\n'
        b'{"ip": broken}\n]\n'
    )
    records, problems = split(list(masscan.read_json(io.BufferedReader(io.BytesIO(line)))))
    assert kinds(records[0])[(80, "http.response")]["http.header.server"] == "Boa/0.94.14rc21"
    assert problems[0].where == "line 4" and not problems[0].fatal


LIST = b"""#masscan
open tcp 554 10.0.0.7 1700000000
banner tcp 80 10.0.0.7 1700000001 http HTTP/1.1 401 Unauthorized\\x0d\\x0aServer: App-webs/\\x0d\\x0a
banner tcp 80 10.0.0.7 1700000001 title Login
nonsense here
# end
"""


def test_list_lines() -> None:
    assert detect(LIST) is masscan.LIST_FORMAT
    records, problems = split(list(masscan.read_list(io.BufferedReader(io.BytesIO(LIST)))))
    assert [r.ip for r in records] == ["10.0.0.7"] * 3
    assert kinds(records[1])[(80, "http.response")]["http.header.server"] == "App-webs/"
    assert kinds(records[2])[(80, "http.response")]["http.title"] == "Login"
    assert problems[0].where == "line 5"


XML = b"".join(
    [
        b'<?xml version="1.0"?>\n<!-- masscan v1.0 scan -->\n',
        b'<nmaprun scanner="masscan" start="1700000000" version="1.0-BETA"  xmloutputversion="1.03">\n',
        b'<scaninfo type="syn" protocol="tcp" />\n',
        b'<host endtime="1700000000"><address addr="10.0.0.8" addrtype="ipv4"/><ports>',
        b'<port protocol="tcp" portid="80"><state state="open" reason="syn-ack" reason_ttl="64"/></port>',
        b"</ports></host>\n",
        b'<host endtime="1700000001"><address addr="10.0.0.8" addrtype="ipv4"/><ports>',
        b'<port protocol="tcp" portid="80"><state state="open" reason="response" reason_ttl="64"/>',
        b'<service name="http.server" banner="App-webs/"></service></port></ports></host>\n',
        b'<runstats><finished time="1700000002" timestr="2023-11-14 22:13:22" elapsed="2" />',
        b'<hosts up="1" down="0" total="1" /></runstats>\n</nmaprun>\n',
    ]
)


def test_xml_banners() -> None:
    assert detect(XML) is nmap_xml.MASSCAN_FORMAT
    records, problems = split(list(nmap_xml.read(io.BufferedReader(io.BytesIO(XML)))))
    assert problems == []
    assert all(o.source == "import:masscan" for r in records for o in r.observations)
    assert kinds(records[1])[(80, "http.response")]["http.header.server"] == "App-webs/"
