"""Application-layer tells (HTTP, RTSP, TLS, banners): what must name a maker and what must not.

The rule files carry their own positive examples (test_rules.py); these are the negatives and the
weak tells: generic servers never name a maker alone, and a string a public source shows on another
maker's device stays below the naming threshold on its own.
"""

from __future__ import annotations

import pytest

from camaudit.identify import manufacturer
from camaudit.identify.device import identify
from camaudit.identify.rules import first_match, match_value
from camaudit.model import Observation, Transport


def _device(
    fields: dict[str, str], kind: str = "http.response", protocol: str = "http"
) -> tuple[str | None, str | None]:
    obs = Observation("test", "127.0.0.9", 80, Transport.TCP, protocol, kind, fields)
    (device,) = identify([obs])
    return device.manufacturer, device.device_type


@pytest.mark.parametrize(
    "server",
    [
        "mini_httpd",
        "mini_httpd/1.19 19dec2003",
        "Boa/0.94.14rc21",
        "GoAhead-Webs",
        "lighttpd/1.4.39",
        "thttpd/2.25b",
        "nginx/1.10.2",
        "Mida eFramework",
        "NET-DK/1.0",
        "gortsplib",
    ],
)
def test_generic_or_unrelated_servers_name_no_maker(server: str) -> None:
    maker, _ = _device({"http.header.server": server})
    assert maker is None


@pytest.mark.parametrize(
    ("server", "maker"),
    [
        ("JVC VR-809/816 API Server/1.0.0", "jvc"),
        ("selea_httpd", "selea"),
        ("GeoHttpServer", "geovision"),
        ("gen5th/1.0", "sony"),
        ("Linux/2.x UPnP/1.0 Avtech/1.0", "avtech"),
        ("IQinVision Embedded 1.0", "iqinvision"),
    ],
)
def test_camera_servers_name_their_maker(server: str, maker: str) -> None:
    assert _device({"http.header.server": server})[0] == maker


def test_interlogix_server_is_a_label_that_oem_table_resolves() -> None:
    ev = match_value("http.header.server", "Interlogix-Webs")
    assert ev is not None and ev.claims == {"brand": "interlogix", "device_type": "dvr"}
    assert manufacturer.maker_vote(ev) is not None


@pytest.mark.parametrize(
    ("realm", "model"),
    [("DCS-8000LH_00", "DCS-8000LH"), ("DCS-932L_68", "DCS-932L"), ("DCS-2530L", "DCS-2530L")],
)
def test_d_link_realm_suffix_is_not_part_of_the_model(realm: str, model: str) -> None:
    hit = first_match("http.www_authenticate.realm", realm)
    assert hit is not None and hit[1] == {"model": model}


@pytest.mark.parametrize(
    "realm", ["DCS-8000LH_XYZ", "AV-TECH", "AVN801", "AV80", "NETGEAR CM700", "Panasonic"]
)
def test_near_miss_realms_do_not_match_camera_rules(realm: str) -> None:
    hit = first_match("http.www_authenticate.realm", realm)
    assert hit is None or "manufacturer" not in hit[0].sets


def test_sony_sdp_session_name_alone_types_but_does_not_name() -> None:
    # gortsplib's test vectors show Amcrest cameras sending the same session name
    maker, kind = _device({"rtsp.sdp.s": "Sony RTSP Server"}, kind="rtsp.response", protocol="rtsp")
    assert maker is None and kind == "ip_camera"


def test_dahua_rpc2_envelope_needs_both_result_and_params() -> None:
    assert first_match("http.body", '{"jsonrpc": "2.0", "result": true, "id": 1}') is None
    assert first_match("http.body", '{"id": 1, "method": "global.login", "params": {}}') is None
    hit = first_match("http.body", '{ "id" : 1, "params" : null, "result" : true, "session" : 9 }')
    assert hit is not None and hit[0].id == "dahua-rpc2-reply-envelope"
