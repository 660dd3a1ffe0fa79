from __future__ import annotations

import dataclasses

import pytest

from camaudit.net.readonly import ReadOnlyRequest, RequestKind


def test_class_cannot_be_constructed_directly() -> None:
    with pytest.raises(TypeError, match="named constructors"):
        ReadOnlyRequest(RequestKind.HTTP, method="GET", target="/", host="10.0.0.1")
    with pytest.raises(TypeError):
        ReadOnlyRequest(RequestKind.LISTEN, _key=object())


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH", "get", "CONNECT", "TRACE"])
def test_state_changing_http_methods_cannot_be_built(method: str) -> None:
    with pytest.raises(ValueError, match="HTTP method"):
        ReadOnlyRequest._make(RequestKind.HTTP, method=method, target="/", host="10.0.0.1")


@pytest.mark.parametrize(
    "path",
    [
        "/a\r\nX-Injected: 1",
        "/a\nb",
        "/a b",
        "relative",
        "",
        "/" + "a" * 3000,
        "/\x00",
        "/caf\u00e9",
    ],
)
def test_paths_with_crlf_spaces_controls_or_no_slash_are_refused(path: str) -> None:
    with pytest.raises(ValueError, match="not a read-only request"):
        ReadOnlyRequest.http_get("10.0.0.1", path)


def test_host_header_injection_refused() -> None:
    with pytest.raises(ValueError, match="host"):
        ReadOnlyRequest.http_get("10.0.0.1\r\nX: y", "/")


@pytest.mark.parametrize("method", ["SETUP", "PLAY", "RECORD", "ANNOUNCE", "SET_PARAMETER", "TEARDOWN"])
def test_rtsp_only_options_and_describe(method: str) -> None:
    with pytest.raises(ValueError, match="RTSP method"):
        ReadOnlyRequest._make(RequestKind.RTSP, method=method, target="rtsp://10.0.0.1/", ident="1")


def test_rtsp_url_must_be_rtsp_and_clean() -> None:
    with pytest.raises(ValueError, match="rtsp://"):
        ReadOnlyRequest.rtsp_options("http://10.0.0.1/")
    with pytest.raises(ValueError, match="CR/LF"):
        ReadOnlyRequest.rtsp_describe("rtsp://10.0.0.1/\r\nSession: 1")


@pytest.mark.parametrize(
    "operation", ["SetSystemFactoryDefault", "SystemReboot", "CreateUsers", "SetNetworkInterfaces", "x"]
)
def test_onvif_only_read_operations(operation: str) -> None:
    with pytest.raises(ValueError, match="ONVIF operation"):
        ReadOnlyRequest.onvif(operation, "10.0.0.1")


def test_onvif_path_is_fixed() -> None:
    with pytest.raises(ValueError, match="ONVIF path"):
        ReadOnlyRequest._make(
            RequestKind.ONVIF, method="GetDeviceInformation", target="/onvif/other", host="10.0.0.1"
        )


@pytest.mark.parametrize("kind", ["activate", "update", "reboot", "restore", "setConfig", "DevInit.account"])
def test_unknown_message_types_cannot_be_built(kind: str) -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        ReadOnlyRequest._make(kind)  # type: ignore[arg-type]


def test_sadp_carries_only_a_uuid_never_a_message_type() -> None:
    # SADP `activate` would need a Types element and a password: the constructor has no place for either.
    with pytest.raises(ValueError, match="SADP uuid"):
        ReadOnlyRequest._make(RequestKind.SADP_INQUIRY, ident="</Uuid><Types>activate</Types>")
    with pytest.raises(ValueError, match="takes no method"):
        ReadOnlyRequest._make(
            RequestKind.SADP_INQUIRY, method="activate", ident="12345678-1234-1234-1234-123456789ABC"
        )


def test_dhip_and_dvrip_take_no_arguments() -> None:
    # DHIP `DHDiscover.setConfig` / `DevInit.account` would need a method name: there is none to give.
    for kind in (RequestKind.DHIP_SEARCH, RequestKind.DVRIP_REALM, RequestKind.DAHUA_LEGACY_SEARCH):
        with pytest.raises(ValueError, match="takes no arguments"):
            ReadOnlyRequest._make(kind, method="DHDiscover.setConfig")


def test_wsdiscovery_message_id_is_validated() -> None:
    with pytest.raises(ValueError, match="MessageID"):
        ReadOnlyRequest.wsdiscovery_probe("uuid:x</a:MessageID><Evil/>")


def test_replace_revalidates() -> None:
    req = ReadOnlyRequest.listen()
    with pytest.raises(ValueError):
        dataclasses.replace(req, kind=RequestKind.HTTP, method="PUT", target="/", host="h")
    with pytest.raises(ValueError, match="init=False"):
        dataclasses.replace(req, payload=b"PUT / HTTP/1.1\r\n\r\n")


def test_http_get_and_head_have_no_body() -> None:
    get = ReadOnlyRequest.http_get("10.0.0.1:8080", "/ISAPI/System/deviceInfo")
    assert get.payload.startswith(b"GET /ISAPI/System/deviceInfo HTTP/1.1\r\n")
    assert b"Host: 10.0.0.1:8080\r\n" in get.payload
    assert get.payload.endswith(b"\r\n\r\n") and get.payload.count(b"\r\n\r\n") == 1
    assert ReadOnlyRequest.http_head("h", "/").payload.startswith(b"HEAD / HTTP/1.1\r\n")
    assert not get.is_udp


def test_rtsp_requests() -> None:
    req = ReadOnlyRequest.rtsp_describe("rtsp://10.0.0.1:554/", cseq=2)
    assert req.payload.startswith(b"DESCRIBE rtsp://10.0.0.1:554/ RTSP/1.0\r\n")
    assert b"CSeq: 2\r\n" in req.payload


def test_onvif_requests_are_fixed_soap_posts() -> None:
    from camaudit.protocols import http, onvif

    for op in ("GetDeviceInformation", "GetSystemDateAndTime"):
        req = ReadOnlyRequest.onvif(op, "10.0.0.1")
        assert req.payload.startswith(b"POST /onvif/device_service HTTP/1.1\r\n")
        parsed = http.parse_request(req.payload)
        assert onvif.request_operation(parsed.body) == op


def test_udp_discovery_requests() -> None:
    from camaudit.protocols import dhip, dvrip, sadp, wsdiscovery

    inquiry = ReadOnlyRequest.sadp_inquiry("12345678-1234-1234-1234-123456789ABC")
    assert sadp.parse_inquiry(inquiry.payload).types == "inquiry"
    assert dhip.is_search(dhip.parse_message(ReadOnlyRequest.dhip_search().payload))
    assert dvrip.is_legacy_search(ReadOnlyRequest.dahua_legacy_search().payload)
    assert dvrip.is_realm_request(ReadOnlyRequest.dvrip_realm().payload)
    probe = ReadOnlyRequest.wsdiscovery_probe()
    assert wsdiscovery.parse_probe(probe.payload).message_id == probe.ident
    assert all(r.is_udp for r in (inquiry, probe, ReadOnlyRequest.dhip_search()))


def test_listen_and_tls_send_nothing() -> None:
    assert ReadOnlyRequest.listen().payload == b""
    assert ReadOnlyRequest.tls_handshake().payload == b""


def test_ssdp_msearch_is_a_search_and_nothing_else() -> None:
    from camaudit.protocols import upnp

    search = ReadOnlyRequest.ssdp_msearch()
    assert search.is_udp and upnp.parse_request(search.payload).is_search
    assert b"ST: upnp:rootdevice\r\n" in search.payload
    assert ReadOnlyRequest.ssdp_msearch("ssdp:all").payload.endswith(b"ST: ssdp:all\r\n\r\n")
    for target in ("upnp:rootdevice\r\nMAN: x", "urn:x:action:Reboot:1", "", "ssdp:all "):
        with pytest.raises(ValueError, match="SSDP search target"):
            ReadOnlyRequest.ssdp_msearch(target)
    # SUBSCRIBE, NOTIFY or a SOAP action would need a method: there is nowhere to put one.
    with pytest.raises(ValueError, match="takes no method"):
        ReadOnlyRequest._make(RequestKind.SSDP_MSEARCH, method="NOTIFY", ident="ssdp:all")


def test_mdns_query_asks_ptr_questions_only() -> None:
    from camaudit.protocols import mdns

    query = ReadOnlyRequest.mdns_query()
    message = mdns.parse_message(query.payload)
    assert query.is_udp and mdns.is_query(query.payload) and message.records == ()
    assert [q.text for q in message.questions] == list(mdns.BROWSE)
    assert {q.type for q in message.questions} == {mdns.TYPE_PTR}
    one = ReadOnlyRequest.mdns_query(["_axis-video._tcp.local"])
    assert [q.text for q in mdns.parse_message(one.payload).questions] == ["_axis-video._tcp.local"]
    for names in (["camera.local"], ["_http._tcp.local,evil"], [], ["_a._tcp.local"] * 33):
        with pytest.raises(ValueError, match="DNS-SD service types"):
            ReadOnlyRequest.mdns_query(names)
    with pytest.raises(ValueError, match="takes no method"):
        ReadOnlyRequest._make(RequestKind.MDNS_QUERY, method="UPDATE", ident="_http._tcp.local")
