"""Published evidence read into the Observations a probe would make: every kind, partial and whole
replies, pasted single replies, and hostile or broken input (one refused line, the rest still read)."""

from __future__ import annotations

import io
import json

import pytest

from camaudit.sources import evidence

# A Hikvision 401 as owners paste it from `curl -i` (LF line ends, no CR): hikvision#0037 in the corpus.
PASTED_401 = (
    "HTTP/1.1 401 Unauthorized\nDate: Sun, 22 Feb 1970 10:00:00 GMT\nServer: App-webs/\n"
    'WWW-Authenticate: Digest qop="auth", realm="IP Camera(83813)", nonce="4e4445", stale="FALSE"\n'
    "Content-Length: 0\n\n"
)


def _fields(item: dict[str, object]) -> dict[str, str]:
    found: dict[str, str] = {}
    for obs in evidence.observations({"evidence": [item]}, "198.51.100.7"):
        found.update(obs.fields)
    return found


def test_a_pasted_http_reply_with_bare_newlines_parses_like_the_wire() -> None:
    fields = _fields({"kind": "http", "port": 80, "path": "/", "raw": PASTED_401})
    assert fields["http.header.server"] == "App-webs/"
    assert fields["http.www_authenticate.realm"] == "IP Camera(83813)"
    assert fields["http.path_status"] == "/ 401"


def test_partial_http_keeps_only_what_was_published() -> None:
    fields = _fields({"kind": "http", "headers": {"Server": "DNVRS-Webs"}})
    assert fields == {"http.path": "/", "http.header.server": "DNVRS-Webs", "http.header_names": "Server"}
    assert _fields({"kind": "http", "title": "WEB SERVICE"}) == {
        "http.path": "/",
        "http.title": "WEB SERVICE",
    }


def test_rtsp_realm_and_sdp_from_partial_keys() -> None:
    fields = _fields(
        {
            "kind": "rtsp",
            "headers": {"WWW-Authenticate": 'Digest realm="Login to 4K01FD2PAJ6E3FF", nonce="x"'},
            "sdp": "v=0\r\ns=Media Server\r\na=packetization-supported:DH\r\nm=video 0 RTP/AVP 96\r\n",
        }
    )
    assert fields["rtsp.www_authenticate.realm"] == "Login to 4K01FD2PAJ6E3FF"
    assert fields["rtsp.sdp.packetization-supported"] == "DH"


@pytest.mark.parametrize(
    ("item", "field", "value"),
    [
        ({"kind": "mac", "mac": "44-19-B6-31-7D-A2"}, "mac.address", "44-19-B6-31-7D-A2"),
        ({"kind": "mac", "mac": "54:C4:15"}, "mac.oui", "54:c4:15"),
        (
            {"kind": "dhcp", "vendor_class": "AXIS,Network Camera,M3007"},
            "dhcp.vendor_class",
            "AXIS,Network Camera,M3007",
        ),
        ({"kind": "dhcp", "params": "1,3,6,15,42"}, "dhcp.params", "1,3,6,15,42"),
        ({"kind": "dhcp", "params": " 1, 3, 6,15,42"}, "dhcp.params", "1,3,6,15,42"),  # as people write it
        ({"kind": "mac", "mac": "00.0F.7C"}, "mac.oui", "00:0f:7c"),
        ({"kind": "onvif_device_info", "manufacturer": "LTS"}, "onvif.Manufacturer", "LTS"),
        ({"kind": "wsd", "scopes": "onvif://www.onvif.org/name/Dahua"}, "wsd.scope.name", "Dahua"),
        ({"kind": "tls_cert", "subject": "CN=TCAM,O=Truen,C=KR"}, "tls.subject.o", "Truen"),
        (
            {"kind": "banner", "service": "telnet", "text": "192.0.0.64 login:"},
            "tcp.banner",
            "192.0.0.64 login:",
        ),
        ({"kind": "banner", "hex": "3232302072656164790d0a"}, "tcp.banner", "220 ready"),
        (
            {"kind": "favicon", "md5": "a3fd8705f010b90e37d42128000f620b"},
            "http.favicon.md5",
            "a3fd8705f010b90e37d42128000f620b",
        ),
        ({"kind": "snmp", "sysobjectid": "1.3.6.1.4.1.368.1.1"}, "snmp.sysobjectid", "1.3.6.1.4.1.368.1.1"),
        (
            {"kind": "ssdp", "headers": {"USN": "uuid:x::urn:axis-com:service:BasicService:1"}},
            "ssdp.usn",
            "uuid:x::urn:axis-com:service:BasicService:1",
        ),
        (
            {"kind": "mdns", "services": ["AXIS M3046-V - ACCC8E953357._axis-video._tcp.local"]},
            "mdns.services",
            "_axis-video._tcp.local",
        ),
        ({"kind": "mdns", "txt": {"MacAddress": "ACCC8E953357"}}, "mdns.txt.macaddress", "ACCC8E953357"),
    ],
)
def test_every_partial_kind_becomes_its_fields(item: dict[str, object], field: str, value: str) -> None:
    assert _fields(item)[field] == value


def test_xml_and_json_replies_go_through_the_shared_codecs() -> None:
    sadp = (
        "<ProbeMatch><DeviceDescription>DS-2CD2042WD-I</DeviceDescription>"
        "<MAC>44-19-b6-00-00-01</MAC></ProbeMatch>"
    )
    assert _fields({"kind": "sadp_xml", "raw": sadp})["sadp.DeviceDescription"] == "DS-2CD2042WD-I"
    body = json.dumps(
        {"mac": "3c:ef:8c:00:00:01", "params": {"deviceInfo": {"Vendor": "Lorex", "DeviceType": "W461ASC"}}}
    )
    assert _fields({"kind": "dhip_json", "raw": body})["dhip.Vendor"] == "Lorex"
    alone = json.dumps({"DeviceClass": "IPC", "Vendor": "General"})  # the deviceInfo object as published
    assert _fields({"kind": "dhip_json", "raw": alone})["dhip.Vendor"] == "General"
    upnp = (
        "<root xmlns='urn:schemas-upnp-org:device-1-0'>"
        "<device><manufacturer>AXIS</manufacturer></device></root>"
    )
    assert _fields({"kind": "upnp_xml", "raw": upnp})["upnp.manufacturer"] == "AXIS"
    isapi = _fields({"kind": "isapi_xml", "raw": "<DeviceInfo><model>X</model></DeviceInfo>"})
    assert isapi["http.path_status"] == "/ISAPI/System/deviceInfo 200"


def test_hostile_xml_is_refused_not_parsed() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><ProbeMatch>&a;</ProbeMatch>'
    with pytest.raises(evidence.InputError, match="sadp_xml"):
        evidence.observations({"evidence": [{"kind": "sadp_xml", "raw": bomb}]}, "x")


def test_a_bad_line_is_reported_with_its_number_and_the_others_are_read() -> None:
    text = "\n".join(
        [
            json.dumps(
                {"ip": "198.51.100.1", "evidence": [{"kind": "http", "headers": {"Server": "App-webs/"}}]}
            ),
            "{not json",
            json.dumps({"evidence": [{"kind": "telepathy"}]}),
            json.dumps({"evidence": [{"kind": "rtsp", "raw": "garbage"}]}),
            json.dumps({"id": "case-9", "evidence": [{"kind": "mac", "mac": "00:40:8c:00:00:01"}]}),
        ]
    )
    lines = list(evidence.read(io.StringIO(text)))
    assert [line.number for line in lines] == [1, 2, 3, 4, 5]
    assert [line.error is None for line in lines] == [True, False, False, False, True]
    assert "unknown kind 'telepathy'" in (lines[2].error or "")
    assert lines[0].label == "198.51.100.1" and lines[4].label == "case-9"


def test_an_overlong_line_is_refused_without_reading_it_whole() -> None:
    huge = json.dumps({"evidence": [{"kind": "banner", "text": "A" * (evidence.MAX_LINE + 10)}]})
    good = json.dumps({"evidence": [{"kind": "banner", "text": "hello"}]})
    lines = list(evidence.read(io.StringIO(good + "\n" + huge + "\n" + good + "\n")))
    assert [line.error is None for line in lines] == [True, False, True]
    assert "longer than" in (lines[1].error or "")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (PASTED_401, "http"),
        ("RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n\r\n", "rtsp"),
        ("HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nUSN: uuid:1\r\n\r\n", "ssdp"),
        ("<?xml version='1.0'?><ProbeMatch><MAC>x</MAC></ProbeMatch>", "sadp_xml"),
        ('{"params": {"deviceInfo": {"Vendor": "Dahua"}}}', "dhip_json"),
        ("SSH-2.0-dropbear_2017.75", "banner"),
    ],
)
def test_a_single_pasted_reply_is_recognised(text: str, kind: str) -> None:
    assert evidence.guess_kind(text) == kind
    line = next(evidence.read(io.StringIO(text)))
    assert line.error is None and line.observations
