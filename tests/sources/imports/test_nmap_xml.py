"""nmap -oX: real files published with python-libnmap (Apache-2.0), streamed host by host."""

from __future__ import annotations

import io

from camaudit.sources.imports import nmap_xml, read_file

from .conftest import DATA, kinds, split


def test_dionaea_scan_scripts_mac_and_claims() -> None:
    records, problems = split(list(read_file(DATA / "nmap_dionaea.xml")))
    assert problems == []
    (host,) = records
    assert host.ip == "172.28.1.3"
    seen = kinds(host)
    assert seen[(None, "neighbour")]["mac.address"] == "02:42:ac:1c:01:03"
    assert any(o.mac == "02:42:ac:1c:01:03" for o in host.observations)  # layer 2: merges devices
    assert seen[(21, "tcp.banner")]["tcp.banner"].startswith("220 DiskStation FTP")
    ftp_claim = next(o for o in host.observations if o.port == 21 and o.fields.get("import.product"))
    assert ftp_claim.kind == "import.claim"
    assert ftp_claim.fields["import.product"] == "Synology DiskStation NAS ftpd"
    assert ftp_claim.fields["import.devicetype"] == "storage-misc"
    certificates = [o for o in host.observations if o.kind == "tls.certificate"]
    assert certificates and "dionaea.carnivore.it" in certificates[0].fields["tls.subject"]
    assert all(o.source == "import:nmap" for o in host.observations)


def test_http_headers_script_is_an_http_response() -> None:
    records, _ = split(list(read_file(DATA / "nmap_banner_scripts.xml")))
    seen = kinds(records[0])
    assert seen[(80, "http.response")]["http.header.server"] == "Apache/2.2.15 (CentOS) PHP/5.3.3"
    assert (22, "tcp.open") in seen
    assert records[0].time is not None


def test_broken_xml_keeps_the_hosts_before_it() -> None:
    text = (DATA / "nmap_dionaea.xml").read_bytes()
    cut = (
        text[: text.index(b"</host>") + 7] + b'\n<host><address addr="10.0.0.9" addrtype="ipv4"/><ports><port'
    )
    records, problems = split(list(nmap_xml.read(io.BufferedReader(io.BytesIO(cut)))))
    assert [r.ip for r in records] == ["172.28.1.3"]
    assert problems[-1].fatal and "not well-formed" in problems[-1].reason


def test_entities_are_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY a "aaaa">]><nmaprun>&a;</nmaprun>'
    (problem,) = list(nmap_xml.read(io.BufferedReader(io.BytesIO(bomb))))
    assert problem.fatal and "refused" in problem.reason  # type: ignore[union-attr]


def test_service_fingerprint_replies_become_responses() -> None:
    fp = (
        'SF-Port8000-TCP:V=7.93%I=7%D=1/1%Time=1%P=x86_64-pc-linux-gnu%r(GetRequest,3F,"HTTP/1\\.1\\x20401\\x20'
        'Unauthorized\\r\\nServer:\\x20App-webs/\\r\\nWWW-Authenticate:\\x20Digest\\x20realm=\\"IP\\x20Camera\\"\\r\\n\\r\\n");'
    )
    xml = (
        '<nmaprun scanner="nmap"><host><status state="up"/><address addr="10.1.1.1" addrtype="ipv4"/><ports>'
        '<port protocol="tcp" portid="8000"><state state="open"/>'
        f'<service name="http" servicefp="{fp.replace(chr(34), "&quot;")}"/>'
        "</port></ports></host></nmaprun>"
    ).encode()
    records, problems = split(list(nmap_xml.read(io.BufferedReader(io.BytesIO(xml)))))
    assert problems == []
    fields = kinds(records[0])[(8000, "http.response")]
    assert fields["http.header.server"] == "App-webs/"
    assert fields["http.status"] == "401"


def test_down_hosts_are_skipped() -> None:
    xml = b'<nmaprun><host><status state="down"/><address addr="10.0.0.1" addrtype="ipv4"/></host></nmaprun>'
    assert list(nmap_xml.read(io.BufferedReader(io.BytesIO(xml)))) == []
