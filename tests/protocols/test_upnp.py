from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import upnp

FUZZ = settings(max_examples=200, database=None, deadline=None)

# An AXIS M1014's M-SEARCH reply (libupnp 1.6.18), as FantasticFiasco/axis-js keeps it in
# packages/axis-discovery-ssdp/test/sockets/Message.mock.ts.
AXIS_REPLY = (
    b"HTTP/1.1 200 OK\r\n"
    b"CACHE-CONTROL: max-age=1800\r\n"
    b"DATE: Sun, 02 Oct 2016 21:11:25 GMT\r\n"
    b"EXT:\r\n"
    b"LOCATION: http://192.168.1.102:45895/rootdesc1.xml\r\n"
    b'OPT: "http://schemas.upnp.org/upnp/1/0/"; ns=01\r\n'
    b"01-NLS: 8fb2638a-1dd2-11b2-a915-c89968cce2ca\r\n"
    b"SERVER: Linux/2.6.35, UPnP/1.0, Portable SDK for UPnP devices/1.6.18\r\n"
    b"X-User-Agent: redsonic\r\n"
    b"ST: urn:axis-com:service:BasicService:1\r\n"
    b"USN: uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8::urn:axis-com:service:BasicService:1\r\n"
    b"\r\n"
)
AXIS_NOTIFY = (
    b"NOTIFY * HTTP/1.1\r\n"
    b"HOST: 239.255.255.250:1900\r\n"
    b"CACHE-CONTROL: max-age=1800\r\n"
    b"LOCATION: http://192.168.1.102:45895/rootdesc1.xml\r\n"
    b"NT: urn:axis-com:service:BasicService:1\r\n"
    b"NTS: ssdp:byebye\r\n"
    b"SERVER: Linux/2.6.35, UPnP/1.0, Portable SDK for UPnP devices/1.6.18\r\n"
    b"USN: uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8::urn:axis-com:service:BasicService:1\r\n"
)
# A Dahua device's reply as Home Assistant logged it (home-assistant/core#46822, header order kept).
DAHUA_REPLY = (
    b"HTTP/1.1 200 OK\r\n"
    b"CACHE-CONTROL: max-age=1800\r\n"
    b"DATE: Wed, 24 Feb 2021 02:58:42 GMT\r\n"
    b"EXT:\r\n"
    b"X-User-Agent: redsonic\r\n"
    b"LOCATION: http://192.168.1.20:49152/upnp_device_desc.xml\r\n"
    b"SERVER: Linux/3.8.8, UPnP/1.0, ZheJiang Dahua Technology CO.,LTD. Upnp SDK\r\n"
    b"ST: uuid:www.dahuatech.com.device_3_0-1L047ACPAW00037\r\n"
    b"USN: uuid:www.dahuatech.com.device_3_0-1L047ACPAW00037\r\n"
    b"\r\n"
)
# The AXIS M1014's root description (axis-js test/root-descriptions/RootDescription.mock.ts).
AXIS_DESCRIPTION = (
    b'<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">'
    b"<specVersion><major>1</major><minor>0</minor></specVersion><device>"
    b"<deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>"
    b"<friendlyName>AXIS M1014 - ACCC8E270AD8</friendlyName><manufacturer>AXIS</manufacturer>"
    b"<manufacturerURL>http://www.axis.com/</manufacturerURL>"
    b"<modelDescription>AXIS M1014 Fixed Network Camera</modelDescription>"
    b"<modelName>AXIS M1014</modelName><modelNumber>M1014</modelNumber>"
    b"<modelURL>http://www.axis.com/</modelURL><serialNumber>ACCC8E270AD8</serialNumber>"
    b"<UDN>uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8</UDN><serviceList><service>"
    b"<serviceType>urn:axis-com:service:BasicService:1</serviceType>"
    b"<serviceId>urn:axis-com:serviceId:BasicServiceId</serviceId>"
    b"<controlURL>/upnp/control/BasicServiceId</controlURL>"
    b"<eventSubURL>/upnp/event/BasicServiceId</eventSubURL><SCPDURL>/scpd_basic.xml</SCPDURL>"
    b"</service></serviceList><presentationURL>http://192.168.1.102:80/</presentationURL></device>"
    b"<URLBase>http://192.168.1.102:51578/</URLBase></root>"
)


def _only_protocol_error(parse: Callable[[bytes], object], data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        parse(data)


def test_msearch_bytes() -> None:
    assert upnp.build_msearch() == (
        b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
        b'MAN: "ssdp:discover"\r\nMX: 1\r\nST: upnp:rootdevice\r\n\r\n'
    )
    assert b"MX: 5\r\n" in upnp.build_msearch("ssdp:all", wait=30)
    assert upnp.is_msearch(upnp.build_msearch())


@pytest.mark.parametrize(
    "target", ["ssdp:all\r\nMAN: x", "", "upnp:rootdevice ", "urn:x:action:Reboot:1", "uuid:a b"]
)
def test_msearch_refuses_other_targets(target: str) -> None:
    with pytest.raises(ValueError):
        upnp.build_msearch(target)


def test_parse_request_sees_a_search() -> None:
    search = upnp.parse_request(upnp.build_msearch("ssdp:all"))
    assert search.is_search and search.method == "M-SEARCH" and search.headers["st"] == "ssdp:all"
    notify = upnp.parse_request(AXIS_NOTIFY)
    assert notify.method == "NOTIFY" and not notify.is_search
    wrong_man = upnp.parse_request(b'M-SEARCH * HTTP/1.1\r\nMAN: "ssdp:update"\r\n\r\n')
    assert not wrong_man.is_search


@pytest.mark.parametrize(
    "data", [AXIS_REPLY, b"", b"GET /", b"M-SEARCH  * HTTP/1.1\r\n\r\n", b"\x00A * HTTP/1.1"]
)
def test_parse_request_refuses_non_requests(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        upnp.parse_request(data)


def test_axis_reply_fields() -> None:
    fields = upnp.reply_fields(upnp.parse_reply(AXIS_REPLY))
    assert fields == {
        "ssdp.server": "Linux/2.6.35, UPnP/1.0, Portable SDK for UPnP devices/1.6.18",
        "ssdp.location": "http://192.168.1.102:45895/rootdesc1.xml",
        "ssdp.st": "urn:axis-com:service:BasicService:1",
        "ssdp.usn": "uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8::urn:axis-com:service:BasicService:1",
    }


def test_dahua_reply_and_notify() -> None:
    dahua = upnp.parse_reply(DAHUA_REPLY)
    assert dahua.headers["server"].endswith("ZheJiang Dahua Technology CO.,LTD. Upnp SDK")
    assert dahua.location == "http://192.168.1.20:49152/upnp_device_desc.xml"
    notify = upnp.parse_reply(AXIS_NOTIFY)
    assert notify.start_line == "NOTIFY * HTTP/1.1" and notify.headers["nts"] == "ssdp:byebye"


def test_first_header_wins_and_controls_are_dropped() -> None:
    reply = upnp.parse_reply(b"HTTP/1.1 200 OK\r\nServer: a\x1b[31mb\r\nSERVER: second\r\nST:x\r\n\r\n")
    assert reply.headers["server"] == "a[31mb" and reply.headers["st"] == "x"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"HTTP/1.1 404 Not Found\r\n\r\n",
        b"HTTP/2 200 OK\r\n\r\n",
        upnp.build_msearch(),
        b"<root/>",
    ],
)
def test_non_replies_are_protocol_errors(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        upnp.parse_reply(data)


def test_oversized_reply() -> None:
    with pytest.raises(MessageTooLarge):
        upnp.parse_reply(AXIS_REPLY + b"X-Pad: " + b"a" * upnp.MAX_MESSAGE + b"\r\n\r\n")


def test_header_values_are_capped() -> None:
    reply = upnp.parse_reply(b"HTTP/1.1 200 OK\r\nSERVER: " + b"s" * 3000 + b"\r\n\r\n")
    assert len(reply.headers["server"]) == upnp.MAX_VALUE


def test_build_reply_round_trip() -> None:
    data = upnp.build_reply([("ST", "upnp:rootdevice"), ("EXT", ""), ("LOCATION", "http://h/d.xml")])
    assert data.startswith(b"HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nEXT:\r\n")
    assert upnp.parse_reply(data).location == "http://h/d.xml"


@pytest.mark.parametrize(
    ("location", "host", "expected"),
    [
        ("http://192.168.1.102:45895/rootdesc1.xml", "192.168.1.102", (45895, "/rootdesc1.xml")),
        ("http://192.168.1.64/upnpdevicedesc.xml", "192.168.1.64", (80, "/upnpdevicedesc.xml")),
        ("http://192.168.1.64:80/a?b=c", "192.168.1.64", (80, "/a?b=c")),
        ("  http://10.0.0.5:8080  ", "10.0.0.5", (8080, "/")),
        ("HTTP://10.0.0.5/d.xml#frag", "10.0.0.5", (80, "/d.xml")),
        ("http://[fe80::1]:49152/d.xml", "fe80::1", (49152, "/d.xml")),
        ("http://10.0.0.6/d.xml", "10.0.0.5", None),  # another host
        ("https://10.0.0.5/d.xml", "10.0.0.5", None),  # another scheme
        ("ftp://10.0.0.5/d.xml", "10.0.0.5", None),
        ("http://10.0.0.5@169.254.169.254/latest", "10.0.0.5", None),  # user-info trick
        ("http://x@10.0.0.5/d.xml", "10.0.0.5", None),
        ("http://010.000.000.005/d.xml", "10.0.0.5", None),  # another spelling
        ("http://167772165/d.xml", "10.0.0.5", None),
        ("http://camera.local/d.xml", "10.0.0.5", None),
        ("http://10.0.0.5:0/d.xml", "10.0.0.5", None),
        ("http://10.0.0.5:99999/d.xml", "10.0.0.5", None),
        ("http://10.0.0.5:080/d.xml", "10.0.0.5", None),
        ("http://10.0.0.5/a b", "10.0.0.5", None),  # could not be sent
        ("http://10.0.0.5/a\r\nX-Injected: 1", "10.0.0.5", None),
        ("http://10.0.0.5/" + "a" * 3000, "10.0.0.5", None),
        ("//10.0.0.5/d.xml", "10.0.0.5", None),
        ("", "10.0.0.5", None),
    ],
)
def test_location_target_only_the_answering_host_over_http(
    location: str, host: str, expected: tuple[int, str] | None
) -> None:
    assert upnp.location_target(location, host) == expected


def test_axis_description_fields() -> None:
    fields = upnp.description_fields(upnp.parse_description(AXIS_DESCRIPTION))
    assert fields["upnp.manufacturer"] == "AXIS"
    assert fields["upnp.modelName"] == "AXIS M1014"
    assert fields["upnp.modelNumber"] == "M1014"
    assert fields["upnp.serialNumber"] == "ACCC8E270AD8"
    assert fields["upnp.friendlyName"] == "AXIS M1014 - ACCC8E270AD8"
    assert fields["upnp.deviceType"] == "urn:schemas-upnp-org:device:Basic:1"
    assert "upnp.serviceType" not in fields and all(k.startswith("upnp.") for k in fields)


def test_description_values_are_capped_and_plain_text() -> None:
    data = upnp.build_description({"manufacturer": "<script>x</script>", "modelName": "m" * 1000})
    assert b"<script>" not in data
    found = upnp.parse_description(data)
    assert found["manufacturer"] == "<script>x</script>"
    assert len(found["modelName"]) == upnp.MAX_DEVICE_VALUE


def test_build_description_refuses_injected_names() -> None:
    with pytest.raises(ValueError):
        upnp.build_description({"a><manufacturer>x</manufacturer><b": "y"})


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE root [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;">]><root><device><manufacturer>&c;</manufacturer></device></root>'
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE root [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<root><device><manufacturer>&x;</manufacturer></device></root>"
)


@pytest.mark.parametrize(
    "data",
    [
        BOMB,
        XXE,
        b'<?xml version="1.0"?><!DOCTYPE root SYSTEM "http://evil/x.dtd"><root><device/></root>',
        b"<root><specVersion/></root>",  # no <device>
        b"<html><body>Not Found</body></html>",
        AXIS_DESCRIPTION[:-40],
        b"<root>" + b"<a>" * 100 + b"</a>" * 100 + b"</root>",
        b"",
    ],
)
def test_hostile_descriptions_are_protocol_errors(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        upnp.parse_description(data)


def test_oversized_description() -> None:
    with pytest.raises(MessageTooLarge):
        upnp.parse_description(AXIS_DESCRIPTION + b" " * upnp.MAX_DESCRIPTION)


@FUZZ
@given(st.binary(max_size=1500))
def test_arbitrary_bytes(data: bytes) -> None:
    _only_protocol_error(upnp.parse_reply, data)
    _only_protocol_error(upnp.parse_request, data)
    _only_protocol_error(upnp.parse_description, data)


@FUZZ
@given(st.integers(0, len(AXIS_DESCRIPTION)))
def test_truncations(cut: int) -> None:
    _only_protocol_error(upnp.parse_description, AXIS_DESCRIPTION[:cut])
    _only_protocol_error(upnp.parse_reply, AXIS_REPLY[:cut])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(AXIS_REPLY) - 1), st.integers(0, 255)), min_size=1, max_size=10))
def test_mutations(edits: list[tuple[int, int]]) -> None:
    raw = bytearray(AXIS_REPLY)
    for index, value in edits:
        raw[index] = value
    _only_protocol_error(upnp.parse_reply, bytes(raw))
    desc = bytearray(AXIS_DESCRIPTION)
    for index, value in edits:
        desc[index % len(desc)] = value
    _only_protocol_error(upnp.parse_description, bytes(desc))


@FUZZ
@given(st.text(max_size=200), st.sampled_from(["10.0.0.5", "fe80::1"]))
def test_location_target_never_leaves_the_host(location: str, host: str) -> None:
    found = upnp.location_target(location, host)
    if found is not None:
        port, path = found
        assert 0 < port < 65536 and path.startswith("/") and " " not in path and "\n" not in path
        assert host in location.lower()
