"""Every device answers on every declared port the way its profile says (codecs as the client)."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from tests.lab.clients import exchange, http_get, rtsp_ask, udp_ask

from camaudit.lab.profile import Profile, Service, load_profiles
from camaudit.lab.runner import Lab
from camaudit.lab.spec import HttpSpec, RtspSpec
from camaudit.lab.spec_discovery import (
    DhipSpec,
    DvripLegacySpec,
    DvripSpec,
    HikSdkSpec,
    MdnsSpec,
    RawSpec,
    SadpSpec,
    SsdpSpec,
    WsdSpec,
)
from camaudit.protocols import dhip, dvrip, hiksdk, http, mdns, sadp, tls, upnp, wsdiscovery

CASES = [(p, s) for p in load_profiles() for s in p.services if not isinstance(s.spec, RawSpec)]


def _where(lab: Lab, profile: Profile, service: Service) -> tuple[str, int]:
    return lab.addresses[profile.id], service.port + lab.port_offset


def test_manifest_shape(lab_manifest: list[dict[str, Any]]) -> None:
    assert {e["profile"] for e in lab_manifest} == {p.id for p in load_profiles()}
    for entry in lab_manifest:
        assert set(entry) == {"profile", "address", "mac", "ports", "expected"}
        assert all(k.endswith(("/tcp", "/udp")) and isinstance(v, int) for k, v in entry["ports"].items())
        assert set(entry["expected"]) == {
            "manufacturer",
            "brand",
            "model",
            "firmware",
            "device_type",
            "is_camera",
        }


@pytest.mark.parametrize(("profile", "service"), CASES, ids=[f"{p.id}-{s.key}" for p, s in CASES])
def test_device_answers_as_its_profile_says(lab: Lab, profile: Profile, service: Service) -> None:
    address, port = _where(lab, profile, service)
    spec = service.spec
    if isinstance(spec, HttpSpec):
        _check_http(address, port, spec, tls_on=service.protocol == "https")
    elif isinstance(spec, RtspSpec):
        _check_rtsp(address, port, spec)
    elif isinstance(spec, SadpSpec):
        _check_sadp(address, port, spec)
    elif isinstance(spec, DhipSpec):
        reply = dhip.parse_message(udp_ask(address, port, dhip.build_search()))
        fields = dhip.observation_fields(reply)
        assert fields["dhip.Vendor"] == spec.device_info["Vendor"]
        assert fields["dhip.DeviceType"] == spec.device_info["DeviceType"]
    elif isinstance(spec, DvripLegacySpec):
        fields = dvrip.parse_legacy_reply(udp_ask(address, port, dvrip.build_legacy_search()))
        assert spec.serial in fields.values()
    elif isinstance(spec, DvripSpec):
        reply = dvrip.parse_reply(exchange(address, port, dvrip.build_realm_request()))
        assert reply.realm == f"Login to {spec.serial}"
    elif isinstance(spec, HikSdkSpec):
        _check_hiksdk(address, port, spec)
    elif isinstance(spec, WsdSpec):
        _check_wsd(address, port, spec)
    elif isinstance(spec, SsdpSpec):
        reply = upnp.parse_reply(udp_ask(address, port, upnp.build_msearch()))
        assert reply.headers["st"] == "upnp:rootdevice" and address in reply.headers["location"]
    elif isinstance(spec, MdnsSpec):
        offered = spec.services[0]
        answer = mdns.parse_response(udp_ask(address, port, mdns.build_query((offered.type,))))
        assert answer.instances == (f"{offered.instance}.{offered.type}",)
    else:  # pragma: no cover - a new spec type needs a check here
        pytest.fail(f"no check for {type(spec).__name__}")


def _check_http(address: str, port: int, spec: HttpSpec, *, tls_on: bool) -> None:
    for target, route in spec.routes.items():
        response = http_get(address, port, target, tls=tls_on)
        assert response.status == route.status, target
        names = [k for k, _ in response.headers]
        assert names[: len(route.headers)] == [k for k, _ in route.headers], target  # order and case kept
        assert spec.content_length_name in names
    missing = http_get(address, port, "/camaudit-no-such-path", tls=tls_on)
    assert missing.status == spec.not_found.status
    if tls_on:
        _check_certificate(address, port, spec)


def _check_certificate(address: str, port: int, spec: HttpSpec) -> None:
    import ssl

    assert spec.tls is not None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection((address, port), timeout=5) as raw, context.wrap_socket(raw) as sock:
        der = sock.getpeercert(binary_form=True)
    assert der is not None
    fields = tls.certificate_fields(der)
    expected_cn = spec.tls.subject["CN"].replace("{address}", address)
    assert fields["tls.subject.cn"] == expected_cn


def _check_rtsp(address: str, port: int, spec: RtspSpec) -> None:
    options = rtsp_ask(address, port, "OPTIONS")
    assert options.status == spec.options.status
    describe = rtsp_ask(address, port, "DESCRIBE")
    assert describe.status == spec.describe.status
    wanted = [v for k, v in spec.describe.headers if k.lower() == "www-authenticate"]
    assert describe.headers_all("WWW-Authenticate") == wanted


def _check_sadp(address: str, port: int, spec: SadpSpec) -> None:
    data = udp_ask(address, port, sadp.build_inquiry())
    if spec.raw_reply is not None:
        assert data == spec.raw_reply
        return
    reply = sadp.parse_reply(data)
    wanted = dict(spec.fields)
    assert reply.model == wanted.get("DeviceDescription")
    assert reply.fields.get("SoftwareVersion") == wanted.get("SoftwareVersion")


def _check_hiksdk(address: str, port: int, spec: HikSdkSpec) -> None:
    with socket.create_connection((address, port), timeout=5) as sock:
        data = sock.recv(hiksdk.BANNER_SIZE)
    assert hiksdk.parse_banner(data).code == spec.code


def _check_wsd(address: str, port: int, spec: WsdSpec) -> None:
    data = udp_ask(address, port, wsdiscovery.build_probe())
    if spec.raw_reply is not None:
        assert data == spec.raw_reply
        return
    (match,) = wsdiscovery.parse_probe_matches(data)
    assert match.endpoint == spec.endpoint
    assert list(match.scopes) == list(spec.scopes)
    assert list(match.xaddrs) == [x.replace("{address}", address) for x in spec.xaddrs]


def test_dahua_header_names_stay_upper_case(lab: Lab) -> None:
    response = http_get(lab.addresses["dahua-ipc"], 80 + lab.port_offset, "/")
    assert [k for k, _ in response.headers][:3] == ["CONNECTION", "CACHE-CONTROL", "CONTENT-TYPE"]
    assert "CONTENT-LENGTH" in [k for k, _ in response.headers]
    assert response.header("p3p") == "CP=CAO PSA OUR"


def test_placeholders_are_filled_per_device(lab: Lab) -> None:
    address = lab.addresses["hikvision-ipc"]
    reply = sadp.parse_reply(udp_ask(address, 37020 + lab.port_offset, sadp.build_inquiry()))
    assert reply.ipv4 == address
    assert reply.mac == "c0:6d:ed:4a:71:2e"
    assert http.parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").status == 200
