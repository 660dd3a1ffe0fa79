"""Nessus: a real .nessus from DefectDojo's unit tests (BSD-3-Clause), kept gzip-compressed."""

from __future__ import annotations

import io

from camaudit.sources.imports import nessus, read_file

from .conftest import DATA, split


def test_report_host() -> None:
    formats: list[str] = []
    (host,), problems = split(list(read_file(DATA / "nessus_many_vuln.xml.gz", on_format=formats.append)))
    assert formats == ["nessus+gzip"] and problems == []
    assert host.ip == "12.233.108.201"
    assert 443 in host.ports
    claim = next(o for o in host.observations if o.kind == "import.claim" and o.port is None)
    assert claim.fields["import.os"] == "CISCO PIX 7.0"


def test_http_plugins() -> None:
    xml = b"""<NessusClientData_v2><Report name="r"><ReportHost name="10.9.9.9"><HostProperties>
<tag name="host-ip">10.9.9.9</tag><tag name="mac-address">44:19:b6:00:00:01</tag></HostProperties>
<ReportItem port="80" svc_name="www" protocol="tcp" severity="0" pluginID="10107"
 pluginName="HTTP Server Type and Version">
<plugin_output>The remote web server type is :

App-webs/</plugin_output></ReportItem>
</ReportHost></Report></NessusClientData_v2>"""
    (host,), _ = split(list(nessus.read(io.BufferedReader(io.BytesIO(xml)))))
    fields = {o.kind: dict(o.fields) for o in host.observations}
    assert fields["http.response"]["http.header.server"] == "App-webs/"
    assert fields["neighbour"]["mac.address"] == "44:19:b6:00:00:01"
