from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import wsdiscovery as wsd

FUZZ = settings(max_examples=200, database=None, deadline=None)

# A ProbeMatches in the 2009/01 discovery namespace with SOAP-ENV/wsdd/wsa prefixes, carrying the
# scope set of the Dahua IPC-HFW2228M-I1-V2 quoted in devices.md §3 (our own envelope around it).
DAHUA_2009 = b"""<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope"
 xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:wsdd="http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01"
 xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
<SOAP-ENV:Header>
 <wsa:MessageID>urn:uuid:5f5a69c2-e0ae-504f-829b-00387a4a6b29</wsa:MessageID>
 <wsa:RelatesTo>uuid:0c2a5b43-1d6f-4c9e-b0a4-0e9dbe7f5a10</wsa:RelatesTo>
 <wsa:Action>http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01/ProbeMatches</wsa:Action>
</SOAP-ENV:Header>
<SOAP-ENV:Body><wsdd:ProbeMatches><wsdd:ProbeMatch>
 <wsa:EndpointReference><wsa:Address>uuid:5f5a69c2-e0ae-504f-829b-00387a4a6b29</wsa:Address></wsa:EndpointReference>
 <wsdd:Types>dn:NetworkVideoTransmitter</wsdd:Types>
 <wsdd:Scopes>onvif://www.onvif.org/location/country/china onvif://www.onvif.org/name/Dahua
  onvif://www.onvif.org/hardware/IPC-HFW2228M-I1-V2 onvif://www.onvif.org/Profile/Streaming
  onvif://www.onvif.org/type/Network_Video_Transmitter onvif://www.onvif.org/extension/unique_identifier</wsdd:Scopes>
 <wsdd:XAddrs>http://192.168.1.108/onvif/device_service</wsdd:XAddrs>
 <wsdd:MetadataVersion>1</wsdd:MetadataVersion>
</wsdd:ProbeMatch></wsdd:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>"""

# A Hikvision-shaped reply (devices.md §3: name/HIKVISION%20<model>, hardware/<model>, MAC-bearing
# endpoint UUID) in the 2005/04 namespace with the default namespace on the discovery elements.
HIK_2005 = b"""<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"
 xmlns:wsadis="http://schemas.xmlsoap.org/ws/2004/08/addressing"><env:Header>
<wsadis:MessageID>uuid:a1</wsadis:MessageID><wsadis:RelatesTo>uuid:p1</wsadis:RelatesTo></env:Header>
<env:Body><ProbeMatches xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery"><ProbeMatch>
<wsadis:EndpointReference><wsadis:Address>urn:uuid:9b7f0000-0d7d-11b3-8131-40acbf7e7527</wsadis:Address>
</wsadis:EndpointReference>
<Types xmlns:tds="http://www.onvif.org/ver10/device/wsdl">tds:Device</Types>
<Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming
onvif://www.onvif.org/Profile/T onvif://www.onvif.org/name/HIKVISION%20DS-2CD3T27FWDA4-LS
onvif://www.onvif.org/hardware/DS-2CD3T27FWDA4-LS onvif://www.onvif.org/location/city/hangzhou
http://example.invalid/other-scope</Scopes>
<XAddrs>http://192.168.1.64/onvif/device_service http://[fe80::42ac:bfff:fe7e:7527]/onvif/device_service</XAddrs>
<MetadataVersion>10</MetadataVersion></ProbeMatch>
<ProbeMatch><wsadis:EndpointReference><wsadis:Address>urn:uuid:second</wsadis:Address></wsadis:EndpointReference>
</ProbeMatch></ProbeMatches></env:Body></env:Envelope>"""


def _only_protocol_error(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        for match in wsd.parse_probe_matches(data):
            wsd.observation_fields(match)
    with contextlib.suppress(ProtocolError):
        wsd.parse_probe(data)


def test_probe_has_the_known_good_shape() -> None:
    data = wsd.build_probe("uuid:11111111-2222-3333-4444-555555555555")
    assert b"http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>" in data
    assert b'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"' in data
    assert b'<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>' in data
    probe = wsd.parse_probe(data)
    assert probe == wsd.WsdProbe("uuid:11111111-2222-3333-4444-555555555555", "dn:NetworkVideoTransmitter")
    assert (wsd.PORT, wsd.MULTICAST_GROUP) == (3702, "239.255.255.250")


def test_probe_defaults_to_a_fresh_message_id_and_may_omit_types() -> None:
    first, second = wsd.parse_probe(wsd.build_probe()), wsd.parse_probe(wsd.build_probe(types=""))
    assert first.message_id.startswith("uuid:") and first.message_id != second.message_id
    assert second.types == ""


def test_parse_probe_needs_a_message_id_and_a_probe() -> None:
    with pytest.raises(ProtocolError):
        wsd.parse_probe(wsd.build_probe("uuid:x").replace(b"<a:MessageID>uuid:x</a:MessageID>", b""))
    with pytest.raises(ProtocolError):
        wsd.parse_probe(DAHUA_2009)


def test_dahua_2009_namespace_reply() -> None:
    (match,) = wsd.parse_probe_matches(DAHUA_2009)
    assert match.endpoint == "uuid:5f5a69c2-e0ae-504f-829b-00387a4a6b29"
    assert match.xaddrs == ("http://192.168.1.108/onvif/device_service",)
    assert match.metadata_version == 1
    fields = wsd.observation_fields(match)
    assert fields["wsd.types"] == "dn:NetworkVideoTransmitter"
    assert fields["wsd.scope.name"] == "Dahua"
    assert fields["wsd.scope.hardware"] == "IPC-HFW2228M-I1-V2"
    assert fields["wsd.scope.location/country"] == "china"
    assert fields["wsd.scope.type"] == "Network_Video_Transmitter"
    assert fields["wsd.scope.extension"] == "unique_identifier"
    assert fields["wsd.scope.Profile"] == "Streaming"
    assert len(match.scopes) == 6 and fields["wsd.scopes"] == " ".join(match.scopes)


def test_hikvision_2005_namespace_reply_with_two_matches() -> None:
    first, second = wsd.parse_probe_matches(HIK_2005)
    fields = wsd.observation_fields(first)
    assert fields["wsd.endpoint"] == "urn:uuid:9b7f0000-0d7d-11b3-8131-40acbf7e7527"
    assert fields["wsd.scope.name"] == "HIKVISION DS-2CD3T27FWDA4-LS"  # URL-decoded
    assert fields["wsd.scope.Profile"] == "Streaming T"  # several values, space-joined
    assert fields["wsd.scope.location/city"] == "hangzhou"
    assert not any("example" in key for key in fields)  # non-ONVIF scopes give no scope key
    assert len(first.xaddrs) == 2 and first.metadata_version == 10
    assert second == wsd.ProbeMatch("urn:uuid:second", "", (), (), None)


def test_hello_announcement_gives_one_match() -> None:
    hello = DAHUA_2009.replace(b"<wsdd:ProbeMatches><wsdd:ProbeMatch>", b"<wsdd:Hello>").replace(
        b"</wsdd:ProbeMatch></wsdd:ProbeMatches>", b"</wsdd:Hello>"
    )
    (match,) = wsd.parse_probe_matches(hello)
    assert wsd.observation_fields(match)["wsd.scope.hardware"] == "IPC-HFW2228M-I1-V2"


def test_scope_items_edge_cases() -> None:
    items = wsd.scope_items(
        [
            "onvif://www.onvif.org/extension/unique_identifier/1",
            "ONVIF://WWW.ONVIF.ORG/name/CP_PLUS/",
            "onvif://www.onvif.org/Profile",
            "onvif://www.onvif.org/name/%3Cscript%3E",
            "onvif://www.onvif.org/name/%ff%fe",
            "onvif://www.onvif.org/name/CP_PLUS",
        ]
    )
    assert items["extension/unique_identifier"] == ["1"]
    assert items["name"] == ["CP_PLUS", "<script>", "\ufffd\ufffd"]
    assert "Profile" not in items


def test_build_probe_matches_round_trip_with_hostile_values() -> None:
    data = wsd.build_probe_matches(
        relates_to="uuid:p",
        endpoint="urn:uuid:e&<>",
        types="dn:NetworkVideoTransmitter tds:Device",
        scopes=["onvif://www.onvif.org/name/%3Cscript%3E", "onvif://www.onvif.org/hardware/<script>"],
        xaddrs=["http://127.0.0.1:8080/onvif/device_service"],
        metadata_version=3,
        message_id="uuid:m",
    )
    (match,) = wsd.parse_probe_matches(data)
    assert match.endpoint == "urn:uuid:e&<>"
    fields = wsd.observation_fields(match)
    assert fields["wsd.scope.name"] == "<script>" and fields["wsd.scope.hardware"] == "<script>"
    assert match.metadata_version == 3


@pytest.mark.parametrize("bad", [["has space"], [""], ["tab\there"]])
def test_build_probe_matches_refuses_scopes_that_would_split(bad: list[str]) -> None:
    with pytest.raises(ValueError):
        wsd.build_probe_matches(relates_to="r", endpoint="e", types="t", scopes=bad, xaddrs=["x"])


URI_SEGMENT = st.text(alphabet="abcXYZ019_-%20.", min_size=1, max_size=12)


@FUZZ
@given(
    st.lists(st.lists(URI_SEGMENT, min_size=1, max_size=4).map("/".join), max_size=8),
    st.lists(URI_SEGMENT, max_size=3),
    st.integers(0, 10**9),
)
def test_build_then_parse_gives_the_same_values(paths: list[str], xaddrs: list[str], version: int) -> None:
    scopes = [wsd.SCOPE_PREFIX + p for p in paths]
    data = wsd.build_probe_matches(
        relates_to="uuid:r", endpoint="urn:uuid:e", types="dn:NetworkVideoTransmitter",
        scopes=scopes, xaddrs=xaddrs, metadata_version=version,
    )  # fmt: skip
    (match,) = wsd.parse_probe_matches(data)
    assert (match.scopes, match.xaddrs, match.metadata_version) == (tuple(scopes), tuple(xaddrs), version)
    wsd.observation_fields(match)


TOO_MANY_MATCHES = b"<Envelope><Body><ProbeMatches>%s</ProbeMatches></Body></Envelope>" % (
    b"<ProbeMatch/>" * (wsd.MAX_MATCHES + 1)
)


@pytest.mark.parametrize(
    "data",
    [
        b"<Envelope><Body/></Envelope>",
        b"<Envelope><Header/></Envelope>",
        b"<ProbeMatches/>",
        HIK_2005.replace(b"<env:Body><ProbeMatches", b"<env:Body><Resolve/><ProbeMatches"),
        TOO_MANY_MATCHES,
        DAHUA_2009[:-30],
        DAHUA_2009.replace(b"name/Dahua", b"name/\xc3\x28"),  # invalid UTF-8
    ],
)  # fmt: skip
def test_malformed_replies(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        wsd.parse_probe_matches(data)


def test_metadata_version_that_is_not_a_small_number_is_none() -> None:
    for text in (b"x", b"1" * 5000, b"\xd9\xa3"):  # letters, huge, Arabic-Indic digit
        data = DAHUA_2009.replace(b"<wsdd:MetadataVersion>1<", b"<wsdd:MetadataVersion>" + text + b"<")
        assert wsd.parse_probe_matches(data)[0].metadata_version is None


def test_oversized_is_message_too_large() -> None:
    with pytest.raises(MessageTooLarge):
        wsd.parse_probe_matches(DAHUA_2009 + b" " * wsd.MAX_SIZE)


@FUZZ
@given(st.binary(max_size=1000))
def test_arbitrary_bytes(data: bytes) -> None:
    _only_protocol_error(data)


@FUZZ
@given(st.integers(0, len(HIK_2005)))
def test_truncations(cut: int) -> None:
    _only_protocol_error(HIK_2005[:cut])
    _only_protocol_error(DAHUA_2009[:cut])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(DAHUA_2009) - 1), st.integers(0, 255)), min_size=1, max_size=10))
def test_mutations(edits: list[tuple[int, int]]) -> None:
    raw = bytearray(DAHUA_2009)
    for index, value in edits:
        raw[index] = value
    _only_protocol_error(bytes(raw))


def test_scope_value_keeps_its_slash() -> None:
    # A Hikvision DVR's hardware scope, from an internet WS-Discovery scan sample (corpus scan-0006).
    items = wsd.scope_items(
        [
            "onvif://www.onvif.org/hardware/DS-7204HGHI-SH/A",
            "onvif://www.onvif.org/location/country/china",
            "onvif://www.onvif.org/type/video_encoder",
        ]
    )
    assert items["hardware"] == ["DS-7204HGHI-SH/A"]
    assert items["location/country"] == ["china"]
    assert items["type"] == ["video_encoder"]
