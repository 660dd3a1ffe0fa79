"""RTSP codec: round trips, camera-shaped replies (our own byte tables), SDP, hostile input."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import rtsp
from camaudit.protocols.rtsp import HeaderInjection
from camaudit.version import __version__

# Hikvision-style 401: Digest realm="Hikvision" with a Basic second line (devices.md §4.1, nmap's
# "Hikvision DVR rtspd" match), written as our own bytes.
HIKVISION_401 = (
    b"RTSP/1.0 401 Unauthorized\r\n"
    b"CSeq: 2\r\n"
    b'WWW-Authenticate: Digest realm="Hikvision", nonce="0f1e2d3c4b5a69788796a5b4c3d2e1f0", stale="FALSE"\r\n'
    b'WWW-Authenticate: Basic realm="/"\r\n'
    b"Date:  Mon, Nov 23 2026 12:00:00 GMT\r\n"
    b"\r\n"
)

HIKVISION_OPTIONS = (
    b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, PAUSE\r\n"
    b"Date:  Mon, Nov 23 2026 12:00:00 GMT\r\n\r\n"
)

# Dahua-style reply (Server: Dahua Rtsp Server, devices.md §4.2), our own bytes.
DAHUA_405 = b"RTSP/1.0 405 Method Not Allowed\r\nCSeq: 3\r\nServer: Dahua Rtsp Server\r\n\r\n"

SDP = (
    b"v=0\r\n"
    b"o=- 1700000000000000 1 IN IP4 127.0.0.1\r\n"
    b"s=Media Presentation\r\n"
    b"i=Channel 1\r\n"
    b"e=NONE\r\n"
    b"c=IN IP4 0.0.0.0\r\n"
    b"t=0 0\r\n"
    b"a=tool:LIVE555 Streaming Media v2013.04.08\r\n"
    b"a=control:*\r\n"
    b"a=range:npt=0-\r\n"
    b"a=x-qt-text-nam:Media Presentation\r\n"
    b"m=video 0 RTP/AVP 96\r\n"
    b"a=rtpmap:96 H264/90000\r\n"
    b"a=control:trackID=1\r\n"
    b"m=audio 0 RTP/AVP 0\r\n"
    b"a=control:trackID=2\r\n"
)

DESCRIBE_200 = (
    b"RTSP/1.0 200 OK\r\nCSeq: 4\r\nContent-Type: application/sdp\r\nContent-Base: rtsp://127.0.0.1/\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(SDP), SDP)
)


def test_build_options_and_describe() -> None:
    agent = b"User-Agent: camaudit/" + __version__.encode() + b"\r\n"
    assert rtsp.build_request("OPTIONS", "rtsp://127.0.0.1:554", 1) == (
        b"OPTIONS rtsp://127.0.0.1:554 RTSP/1.0\r\nCSeq: 1\r\n" + agent + b"\r\n"
    )
    describe = rtsp.build_request("DESCRIBE", "rtsp://127.0.0.1/Streaming/Channels/101", 2)
    assert describe.endswith(b"CSeq: 2\r\n" + agent + b"Accept: application/sdp\r\n\r\n")


def test_request_round_trip() -> None:
    wire = rtsp.build_request(
        "DESCRIBE", "rtsp://127.0.0.1/cam/realmonitor?channel=1&subtype=0", 7, headers=[("X-A", "b")]
    )
    assert rtsp.request_complete(wire) and not rtsp.request_complete(wire[:-1])
    request = rtsp.parse_request(wire)
    assert (request.method, request.url, request.cseq) == (
        "DESCRIBE",
        "rtsp://127.0.0.1/cam/realmonitor?channel=1&subtype=0",
        "7",
    )
    assert request.header("accept") == "application/sdp" and request.header("x-a") == "b"


@pytest.mark.parametrize(
    ("method", "url", "cseq", "headers"),
    [
        ("SETUP", "rtsp://h/", 1, ()),
        ("PLAY", "rtsp://h/", 1, ()),
        ("OPTIONS\r\nX: y", "rtsp://h/", 1, ()),
        ("OPTIONS", "rtsp://h/ RTSP/1.0\r\nX: y", 1, ()),
        ("OPTIONS", "rtsp://h/\nX: y", 1, ()),
        ("OPTIONS", "http://h/", 1, ()),
        ("OPTIONS", "rtsp:///path", 1, ()),
        ("OPTIONS", "rtsp://h/", -1, ()),
        ("OPTIONS", "rtsp://h/", 10**9, ()),
        ("OPTIONS", "rtsp://h/", 1, (("X", "a\r\nCSeq: 9"),)),
        ("OPTIONS", "rtsp://h/", 1, (("CSeq", "9"),)),
        ("OPTIONS", "rtsp://h/", 1, (("Content-Length", "9"),)),
        ("OPTIONS", "rtsp://h/", 1, (("Bad:Name", "9"),)),
    ],
)
def test_build_request_rejects_unsafe(
    method: str, url: str, cseq: int, headers: tuple[tuple[str, str], ...]
) -> None:
    with pytest.raises(HeaderInjection):
        rtsp.build_request(method, url, cseq, headers=headers)


def test_hikvision_401_two_challenges() -> None:
    response = rtsp.parse_response(HIKVISION_401)
    assert (response.status, response.reason, response.version) == (401, "Unauthorized", "RTSP/1.0")
    assert response.headers_all("www-authenticate") == [
        'Digest realm="Hikvision", nonce="0f1e2d3c4b5a69788796a5b4c3d2e1f0", stale="FALSE"',
        'Basic realm="/"',
    ]
    fields = rtsp.observation_fields(response, method="DESCRIBE")
    assert fields["rtsp.method"] == "DESCRIBE" and fields["rtsp.status"] == "401"
    assert fields["rtsp.www_authenticate"].endswith(' | Basic realm="/"')
    assert fields["rtsp.www_authenticate.realm"] == "Hikvision"
    assert fields["rtsp.header.cseq"] == "2"
    assert not any(key.startswith("rtsp.sdp.") for key in fields)


def test_options_public_and_dahua_server() -> None:
    fields = rtsp.observation_fields(rtsp.parse_response(HIKVISION_OPTIONS), method="OPTIONS")
    assert fields["rtsp.public"] == "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, PAUSE"
    dahua = rtsp.observation_fields(rtsp.parse_response(DAHUA_405), method="OPTIONS")
    assert dahua["rtsp.header.server"] == "Dahua Rtsp Server" and dahua["rtsp.status"] == "405"
    assert "rtsp.public" not in dahua and "rtsp.www_authenticate" not in dahua


def test_realm_from_a_later_header_when_the_first_has_none() -> None:
    headers = [("WWW-Authenticate", "Negotiate abc="), ("WWW-Authenticate", 'Digest realm="Login to 4X7C"')]
    response = rtsp.parse_response(rtsp.build_response(401, "Unauthorized", 5, headers))
    fields = rtsp.observation_fields(response, method="OPTIONS")
    assert fields["rtsp.www_authenticate.realm"] == "Login to 4X7C"


def test_describe_with_sdp() -> None:
    assert [rtsp.response_complete(DESCRIBE_200[:n]) for n in (len(DESCRIBE_200) - 1, len(DESCRIBE_200))] == [
        False,
        True,
    ]
    response = rtsp.parse_response(DESCRIBE_200)
    assert response.body == SDP and not response.truncated
    fields = rtsp.observation_fields(response, method="DESCRIBE")
    assert fields["rtsp.sdp.s"] == "Media Presentation"
    assert fields["rtsp.sdp.i"] == "Channel 1"
    assert fields["rtsp.sdp.tool"] == "LIVE555 Streaming Media v2013.04.08"
    assert fields["rtsp.sdp.control"] == "*"  # the session-level one, not a track's
    assert fields["rtsp.sdp.m"] == "video 0 RTP/AVP 96 | audio 0 RTP/AVP 0"
    assert "rtsp.sdp.rtpmap" not in fields  # media-level attributes are not session facts


def test_parse_sdp_bounds_and_cleaning() -> None:
    sdp = rtsp.parse_sdp(b"v=0\ns=\x1b[2J" + b"x" * 5000 + b"\na=tool:\xff\xfe\na=recvonly\n")
    assert sdp["s"].startswith("[2J") and len(sdp["s"]) == rtsp.SDP_VALUE_MAX
    assert sdp["tool"] == "\ufffd\ufffd" and sdp["recvonly"] == ""
    many = b"v=0\n" + b"".join(b"a=x%d:%d\n" % (i, i) for i in range(1000))
    assert len(rtsp.parse_sdp(many)) <= rtsp.SDP_KEYS_MAX
    for bad in (b"", b"hello world", b"\x00\x01\x02", b"V=0\nS=x"):
        with pytest.raises(ProtocolError):
            rtsp.parse_sdp(bad)
    with pytest.raises(MessageTooLarge):
        rtsp.parse_sdp(b"v=0\n" * rtsp.MAX_SIZE)


def test_unparsable_sdp_body_left_out_of_fields() -> None:
    wire = rtsp.build_response(200, "OK", 1, [("Content-Type", "application/sdp")], b"<html>")
    fields = rtsp.observation_fields(rtsp.parse_response(wire), method="DESCRIBE")
    assert not any(key.startswith("rtsp.sdp.") for key in fields)


def test_build_response_round_trip_keeps_names() -> None:
    wire = rtsp.build_response(200, "OK", "9", [("SERVER", "X"), ("Content-Type", "application/sdp")], SDP)
    assert wire.startswith(b"RTSP/1.0 200 OK\r\nCSeq: 9\r\nSERVER: X\r\n")
    response = rtsp.parse_response(wire)
    assert response.headers[1] == ("SERVER", "X") and response.body == SDP
    assert response.header("content-length") == str(len(SDP))
    for bad in (("OK\r\nX: y", 1), ("OK", "1\r\nX: y"), ("OK", "abc"), ("OK", True)):
        with pytest.raises(HeaderInjection):
            rtsp.build_response(200, bad[0], bad[1], [])  # type: ignore[arg-type]


def test_truncated_body_flagged() -> None:
    response = rtsp.parse_response(DESCRIBE_200[:-10])
    assert response.truncated and response.body == SDP[:-10]
    with pytest.raises(ProtocolError):
        rtsp.parse_request(b"SET_PARAMETER rtsp://h/ RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 9\r\n\r\nab")


@pytest.mark.parametrize(
    "wire",
    [
        b"",
        b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n",
        b"HTTP/1.1 200 OK\r\n\r\n",
        b"$\x00\x00\x10" + b"\x80" * 16,
        b"RTSP/1.0 20 OK\r\n\r\n",
        b"RTSP/1.0 200 OK\r\nCSeq 1\r\n\r\n",
        b"RTSP/1.0 200 OK\r\nContent-Length: x\r\n\r\n",
        b"RTSP/1.0 200 OK\r\nX: \x00\r\n\r\n",
    ],
)
def test_malformed_responses(wire: bytes) -> None:
    with pytest.raises(ProtocolError):
        rtsp.parse_response(wire)


@pytest.mark.parametrize(
    "wire",
    [
        b"OPTIONS rtsp://h/ RTSP/1.0\r\n\r\n",  # no CSeq (RFC 2326 §12.17)
        b"OPTIONS rtsp://h/ RTSP/1.0\r\nCSeq: x\r\n\r\n",
        b"OPTIONS rtsp://h/ HTTP/1.1\r\nCSeq: 1\r\n\r\n",
        b"OPTIONS  rtsp://h/ RTSP/1.0\r\nCSeq: 1\r\n\r\n",
    ],
)
def test_malformed_requests(wire: bytes) -> None:
    with pytest.raises(ProtocolError):
        rtsp.parse_request(wire)
    assert rtsp.request_complete(wire)


def test_size_cap() -> None:
    big = b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: %d\r\n\r\n" % rtsp.MAX_SIZE
    with pytest.raises(MessageTooLarge):
        rtsp.parse_response(big)
    assert rtsp.response_complete(big)
    endless = b"RTSP/1.0 200 OK\r\nX: " + b"a" * rtsp.MAX_SIZE
    with pytest.raises(MessageTooLarge):
        rtsp.parse_response(endless)
    assert rtsp.response_complete(endless)


# ---------------------------------------------------------------- hostile input

PREFIXES = [b"", b"RTSP/1.0 200 OK\r\n", b"OPTIONS rtsp://h/ RTSP/1.0\r\nCSeq: 1\r\n"]


@settings(max_examples=200, deadline=None)
@given(prefix=st.sampled_from(PREFIXES), tail=st.binary(max_size=2048))
def test_arbitrary_bytes_only_raise_protocol_error(prefix: bytes, tail: bytes) -> None:
    data = prefix + tail
    with contextlib.suppress(ProtocolError):
        rtsp.observation_fields(rtsp.parse_response(data), method="OPTIONS")
    with contextlib.suppress(ProtocolError):
        rtsp.parse_request(data)
    with contextlib.suppress(ProtocolError):
        rtsp.parse_sdp(data)
    assert isinstance(rtsp.response_complete(data), bool) and isinstance(rtsp.request_complete(data), bool)


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(DESCRIBE_200)))
def test_truncations_only_raise_protocol_error(cut: int) -> None:
    for wire in (HIKVISION_401, DESCRIBE_200):
        try:
            response = rtsp.parse_response(wire[:cut])
        except ProtocolError:
            assert not rtsp.response_complete(wire[:cut])
        else:
            assert response.status in (200, 401)
            rtsp.observation_fields(response, method="DESCRIBE")


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.text(max_size=80), max_size=40))
def test_sdp_text_only_raises_protocol_error(lines: list[str]) -> None:
    with contextlib.suppress(ProtocolError):
        values = rtsp.parse_sdp("\r\n".join(lines).encode("utf-8", errors="surrogatepass"))
        assert all(len(v) <= rtsp.SDP_VALUE_MAX for v in values.values())
