from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest

from camaudit.model import ProbeStatus, Transport
from camaudit.sources.probes import wsdiscovery
from camaudit.sources.probes._base import ProbeTarget

from .conftest import HOST, FakeDevice

# A Dahua-style ProbeMatches (scopes as in devices.md §3), 2005/04 discovery namespace.
MATCHES = """<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope"
 xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"
 xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
<SOAP-ENV:Header><wsa:MessageID>urn:uuid:3f1e9a40-1111-2222-3333-444455556666</wsa:MessageID>
<wsa:RelatesTo>{relates}</wsa:RelatesTo>
<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>
<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch>
<wsa:EndpointReference><wsa:Address>urn:uuid:2419d68a-2dd2-21b2-a205-3cef8c123456</wsa:Address></wsa:EndpointReference>
<d:Types>dn:NetworkVideoTransmitter</d:Types>
<d:Scopes>{scopes}</d:Scopes>
<d:XAddrs>http://192.168.1.108/onvif/device_service</d:XAddrs>
<d:MetadataVersion>1</d:MetadataVersion>
</d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>"""


SCOPES = " ".join(
    f"onvif://www.onvif.org/{s}"
    for s in (
        "location/country/china",
        "name/Dahua",
        "hardware/IPC-HFW2228M-I1-V2",
        "Profile/Streaming",
        "type/Network_Video_Transmitter",
        "extension/unique_identifier",
    )
)


def reply(data: bytes) -> bytes:
    match = re.search(rb"MessageID>([^<]+)<", data)
    return MATCHES.format(relates=match[1].decode() if match else "", scopes=SCOPES).encode()


@pytest.mark.asyncio
async def test_probe_and_match(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(3702, reply, Transport.UDP)
    result = await wsdiscovery.probe(ProbeTarget(HOST, 3702, Transport.UDP), dev.connector())
    assert b"NetworkVideoTransmitter" in dev.received[0]
    (obs,) = result.observations
    assert (obs.kind, obs.protocol, obs.source) == ("wsdiscovery.match", "wsdiscovery", "probe:wsdiscovery")
    assert obs.fields["wsd.scope.name"] == "Dahua"
    assert obs.fields["wsd.scope.hardware"] == "IPC-HFW2228M-I1-V2"
    assert obs.fields["wsd.scope.extension"] == "unique_identifier"
    assert obs.fields["wsd.xaddrs"] == "http://192.168.1.108/onvif/device_service"


@pytest.mark.asyncio
async def test_bad_xml_is_malformed(device: Callable[..., Awaitable[FakeDevice]]) -> None:
    dev = await device(3702, lambda d: b"<Envelope><Body><ProbeMatches><ProbeMatch>", Transport.UDP)
    result = await wsdiscovery.probe(ProbeTarget(HOST, 3702, Transport.UDP), dev.connector())
    assert result.observations == () and result.attempts[0].status is ProbeStatus.MALFORMED
