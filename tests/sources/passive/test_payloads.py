"""Payload evidence: names (SNI, Host, DNS), banners, certificates, DHCP; hostile bytes never raise."""

from __future__ import annotations

import struct
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.sources.passive import capture as cap

from camaudit.protocols import http, tls, wsdiscovery
from camaudit.sources.passive import frames, payloads
from camaudit.sources.passive.pcap import read_capture
from camaudit.sources.passive.summary import TrafficSummary


def _server_flight(der: bytes) -> bytes:
    """ServerHello + Certificate in one TLS 1.2 record (RFC 5246 §7.4.1.3, §7.4.2)."""
    hello = b"\x03\x03" + b"\x22" * 32 + b"\x00" + b"\xc0\x2f" + b"\x00"
    chain = len(der).to_bytes(3, "big") + der
    cert = len(chain).to_bytes(3, "big") + chain
    body = b"\x02" + len(hello).to_bytes(3, "big") + hello + b"\x0b" + len(cert).to_bytes(3, "big") + cert
    return b"\x16\x03\x03" + struct.pack("!H", len(body)) + body


def test_sni_host_and_dns_names() -> None:
    assert payloads.tls_sni(cap.tls_client_hello("Dev.Hik-Connect.com")) == "dev.hik-connect.com"
    assert payloads.tls_sni(cap.tls_client_hello("x")[:30]) is None
    assert payloads.http_host(b"GET /a HTTP/1.1\r\nHost: www.easy4ip.com:80\r\n\r\n") == "www.easy4ip.com"
    assert payloads.http_host(b"GET /a HTTP/1.1\r\nHost: bad name\r\n\r\n") is None
    answer = payloads.dns_response(cap.dns_answer("litedev.ezvizlife.com", ["203.0.113.10", "203.0.113.12"]))
    assert answer == payloads.DnsAnswer("litedev.ezvizlife.com", ("203.0.113.10", "203.0.113.12"))
    assert payloads.dns_query(cap.dns_query("www.imoulife.com")) == "www.imoulife.com"


def test_certificate_and_banner_from_a_camera_seen_passively(tmp_path: Path) -> None:
    pem, _ = tls.make_certificate({"CN": "DS-2CD2042WD-I", "O": "Hikvision"})
    flight = _server_flight(tls.pem_to_der(pem))
    banner = http.build_response(
        401,
        "Unauthorized",
        [("Server", "App-webs/"), ("WWW-Authenticate", 'Digest realm="IP Camera(C1234)"')],
        b"",
    )
    path = cap.write_pcap(
        tmp_path / "lan.pcap",
        [
            (cap.T0, cap.tcp(cap.HIK, cap.PC, 443, 50000, flight, mac=cap.HIK_MAC, dst_mac=cap.PC_MAC)),
            (cap.T0 + 1, cap.tcp(cap.HIK, cap.PC, 80, 50001, banner, mac=cap.HIK_MAC, dst_mac=cap.PC_MAC)),
            (
                cap.T0 + 2,
                cap.tcp("198.51.100.1", cap.PC, 80, 50002, banner),
            ),  # a server on the internet: not ours
        ],
    )
    summary = TrafficSummary()
    read_capture(path, summary)
    found = {o.kind: o for o in summary.finish().observations}
    assert sorted(found) == ["http.response", "tls.certificate"]
    assert found["tls.certificate"].fields["tls.subject"] == "CN=DS-2CD2042WD-I,O=Hikvision"
    assert (found["tls.certificate"].ip, found["tls.certificate"].port) == (cap.HIK, 443)
    assert found["http.response"].fields["http.header.server"] == "App-webs/"
    assert found["http.response"].fields["http.www_authenticate.realm"] == "IP Camera(C1234)"
    assert found["http.response"].mac == cap.HIK_MAC


def test_dhcp_client_options() -> None:
    client = payloads.dhcp_client(cap.dhcp_request(cap.DAHUA_MAC, cap.DAHUA, b"dhcpcd-5.5.6", b"IPC"))
    assert client == payloads.DhcpClient(
        cap.DAHUA_MAC, cap.DAHUA, {"dhcp.vendor_class": "dhcpcd-5.5.6", "dhcp.hostname": "IPC"}
    )


def test_vlan_ipv6_and_cooked_frames() -> None:
    plain = cap.udp("192.168.1.20", "198.51.100.7", 1, 31007, b"abc", mac=cap.HIK_MAC)
    tagged = plain[:12] + b"\x81\x00\x00\x0a" + plain[12:]
    assert frames.link(frames.DLT_EN10MB, tagged) == (18, bytes.fromhex("c056e3112233"))
    pkt = frames.ip(tagged, 18)
    assert pkt is not None and pkt[2:] == (17, 1, 31007, 31, b"abc")
    v6 = cap.udp("fd00::20", "2001:db8::7", 5, 8800, b"PTCP")
    pkt6 = frames.ip(v6, 14)
    assert pkt6 is not None and (frames.ntop(pkt6[0]), pkt6[2:]) == ("fd00::20", (17, 5, 8800, 52, b"PTCP"))
    cooked = struct.pack("!HHH6sxxH", 0, 1, 6, bytes.fromhex("c056e3112233"), 0x0800) + plain[14:]
    assert frames.link(frames.DLT_LINUX_SLL, cooked) == (16, bytes.fromhex("c056e3112233"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.sampled_from([53, 67, 68, 80, 443, 3702, 37020, 37810, 8800]))
def test_hostile_payloads_never_raise(data: bytes, port: int) -> None:
    payloads.discovery(port, port, data)
    payloads.response_head(b"HTTP/1.1 " + data)
    payloads.response_head(b"RTSP/1.0 " + data)
    payloads.tls_sni(b"\x16\x03\x01\x00\x40\x01" + data)
    payloads.tls_certificate(b"\x16\x03\x03\x00\x40\x02" + data)
    payloads.http_host(b"GET / HTTP/1.1\r\n" + data)
    payloads.dns_response(data)
    payloads.dhcp_client(data)
    frame = cap.udp("192.168.1.20", "198.51.100.7", port, port, b"")[:14] + data
    found = frames.link(frames.DLT_EN10MB, frame)
    if found is not None:
        frames.ip(frame, found[0])


def test_ws_discovery_match_seen_passively(tmp_path: Path) -> None:
    reply = wsdiscovery.build_probe_matches(
        relates_to="uuid:00000000-0000-4000-8000-000000000001",
        endpoint="urn:uuid:11111111-2222-4333-8444-c056e3112233",
        types="dn:NetworkVideoTransmitter",
        scopes=["onvif://www.onvif.org/name/HIKVISION", "onvif://www.onvif.org/hardware/DS-2CD2042WD-I"],
        xaddrs=[f"http://{cap.HIK}/onvif/device_service"],
    )
    frame = cap.udp(cap.HIK, cap.PC, 3702, 50010, reply, mac=cap.HIK_MAC, dst_mac=cap.PC_MAC)
    summary = TrafficSummary()
    read_capture(cap.write_pcap(tmp_path / "wsd.pcap", [(cap.T0, frame)]), summary)
    (obs,) = summary.finish().observations
    assert (obs.kind, obs.ip, obs.port, obs.mac) == ("wsdiscovery.match", cap.HIK, 3702, cap.HIK_MAC)
    assert obs.fields["wsd.scope.hardware"] == "DS-2CD2042WD-I"


def test_ssdp_announcements_and_mdns_responses_are_evidence() -> None:
    from camaudit.protocols import mdns

    # FantasticFiasco/axis-discovery-ssdp's recorded AXIS M1014 NOTIFY (USN with the MAC)
    notify = (
        b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nLOCATION: http://192.168.1.102:45895/rootdesc1.xml\r\n"
        b"SERVER: Linux/2.6.35, UPnP/1.0, Portable SDK for UPnP devices/1.6.18\r\n"
        b"NT: urn:axis-com:service:BasicService:1\r\n"
        b"USN: uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8::urn:axis-com:service:BasicService:1\r\n\r\n"
    )
    found = payloads.discovery(1900, 1900, notify)
    assert found is not None and found[1] == "ssdp.reply"
    assert found[2]["ssdp.usn"].startswith("uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8")
    assert payloads.discovery(50000, 1900, b"M-SEARCH * HTTP/1.1\r\n\r\n") is None  # a client asking
    query = mdns.parse_message(mdns.build_query(("_axis-video._tcp.local",)))
    offered = mdns.ServiceInstance(
        "_axis-video._tcp.local", "AXIS M3046-V - ACCC8E953357", "axis-accc8e953357.local", 80,
        (("macaddress", "ACCC8E953357"),),
    )  # fmt: skip
    answer = mdns.build_response(query, offered, "198.18.0.5")
    found = payloads.discovery(5353, 5353, answer)
    assert found is not None and found[2]["mdns.services"] == "_axis-video._tcp.local"
    assert payloads.discovery(5353, 5353, mdns.build_query()) is None


def test_dhcp_parameter_list_is_kept_in_order() -> None:
    request = cap.dhcp_request(cap.DAHUA_MAC, cap.DAHUA, b"dhcpcd-5.5.6", b"IPC")
    with_55 = request.replace(b"\xff", b"\x37\x09\x01\x03\x04\x05\x06\x0c\x0f\x1c\x2a\xff", 1)
    client = payloads.dhcp_client(with_55)
    assert client is not None and client.fields["dhcp.params"] == "1,3,4,5,6,12,15,28,42"
