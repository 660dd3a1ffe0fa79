"""HTTP codec: round trips, camera-shaped replies (our own byte tables), hostile input."""

from __future__ import annotations

import base64
import contextlib
import hashlib

import mmh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import http
from camaudit.protocols.http import HeaderInjection
from camaudit.version import __version__

HIKVISION_401_BODY = (
    b"<!DOCTYPE html>\n<html><head><title>Document Error: Unauthorized</title></head>"
    b"<body><h2>Access Error: 401 -- Unauthorized</h2><p>Authentication Error</p></body></html>"
)
# A Hikvision-style reply (Server: App-webs/, devices.md §4.1), written as our own bytes.
HIKVISION_401 = (
    b"HTTP/1.1 401 Unauthorized\r\n"
    b"Date: Mon, 23 Nov 2026 12:00:00 GMT\r\n"
    b"Server: App-webs/\r\n"
    b"Content-Length: %d\r\n"
    b"Content-Type: text/html\r\n"
    b"Connection: close\r\n"
    b'WWW-Authenticate: Digest qop="auth", realm="IP Camera(C1234)", '
    b'nonce="4e5468694e7a49334e6a63364e4451354d4441784d6a513d", stale="FALSE"\r\n'
    b"\r\n%s" % (len(HIKVISION_401_BODY), HIKVISION_401_BODY)
)

# A Dahua-style reply: upper-case header names and P3P (devices.md §4.2), our own bytes.
DAHUA_200 = (
    b"HTTP/1.1 200 OK\r\n"
    b"CACHE-CONTROL: max-age=0\r\n"
    b"CONNECTION: close\r\n"
    b"CONTENT-LENGTH: 49\r\n"
    b"CONTENT-TYPE: text/html\r\n"
    b'Etag: "1234567890:5c7e3a1f"\r\n'
    b"P3P: CP=CAO PSA OUR\r\n"
    b"\r\n"
    b"<html><head><title>WEB SERVICE</title></head>\r\n\r\n"
)

CHUNKED = (
    b"HTTP/1.1 200 OK\r\n"
    b"Server: Webs\r\n"
    b"Transfer-Encoding: chunked\r\n"
    b"\r\n"
    b"1a\r\n<html><title>Hello</title>\r\n"
    b"8;name=value\r\n</html>\n\r\n"
    b"0\r\n"
    b"X-Trailer: yes\r\n"
    b"\r\n"
)


def test_build_request_has_fixed_headers() -> None:
    wire = http.build_request("GET", "127.0.0.1:8080", "/SDK/activateStatus")
    assert wire == (
        b"GET /SDK/activateStatus HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
        b"User-Agent: camaudit/" + __version__.encode() + b"\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    )


def test_build_request_round_trips_through_parse_request() -> None:
    wire = http.build_request("POST", "[::1]", "/RPC2_Login", headers=[("X-Test", "a b")], body=b"{}")
    request = http.parse_request(wire)
    assert (request.method, request.target, request.version) == ("POST", "/RPC2_Login", "HTTP/1.1")
    assert request.header("content-length") == "2"
    assert request.header("X-TEST") == "a b"
    assert request.body == b"{}"
    assert http.request_complete(wire) and not http.request_complete(wire[:-1])


def test_build_request_given_headers_replace_defaults() -> None:
    wire = http.build_request("GET", "h", "/", headers=[("accept", "text/html")])
    assert b"Accept: */*" not in wire and b"accept: text/html\r\n" in wire


@pytest.mark.parametrize(
    ("method", "host", "path", "headers"),
    [
        ("GET", "h", "/\r\nX-Injected: 1", ()),
        ("GET", "h\r\nX: y", "/", ()),
        ("GET", "h", "/a b", ()),
        ("GE T", "h", "/", ()),
        ("GET\n", "h", "/", ()),
        ("GET", "h", "/", (("X-Ok", "v\r\nSet-Cookie: a=b"),)),
        ("GET", "h", "/", (("X-Ok", "v\nw"),)),
        ("GET", "h", "/", (("X-Ok", "v\x00"),)),
        ("GET", "h", "/", (("Bad Name", "v"),)),
        ("GET", "h", "/", (("X:Y", "v"),)),
        ("GET", "h", "/", (("Content-Length", "0"),)),
        ("GET", "h", "/", (("Transfer-Encoding", "chunked"),)),
        ("GET", "h", "/", (("X-Uni", "\u2028"),)),
    ],
)
def test_build_request_rejects_injection(
    method: str, host: str, path: str, headers: tuple[tuple[str, str], ...]
) -> None:
    with pytest.raises(HeaderInjection):
        http.build_request(method, host, path, headers=headers)
    assert issubclass(HeaderInjection, ProtocolError) and issubclass(HeaderInjection, ValueError)


def test_hikvision_401_fields() -> None:
    response = http.parse_response(HIKVISION_401)
    assert (response.status, response.reason, response.version) == (401, "Unauthorized", "HTTP/1.1")
    assert not response.truncated and response.body == HIKVISION_401_BODY
    fields = http.observation_fields(response, path="/ISAPI/System/deviceInfo")
    assert fields["http.header.server"] == "App-webs/"
    assert fields["http.path_status"] == "/ISAPI/System/deviceInfo 401"
    assert fields["http.www_authenticate.scheme"] == "Digest"
    assert fields["http.www_authenticate.realm"] == "IP Camera(C1234)"
    assert fields["http.title"] == "Document Error: Unauthorized"
    assert fields["http.body.length"] == str(len(HIKVISION_401_BODY))
    assert fields["http.body.sha256"] == hashlib.sha256(response.body).hexdigest()


def test_dahua_upper_case_headers_survive_build_and_parse() -> None:
    headers = [("CACHE-CONTROL", "max-age=0"), ("CONNECTION", "close"), ("P3P", "CP=CAO PSA OUR")]
    wire = http.build_response(200, "OK", headers, b"<title>WEB</title>")
    assert b"\r\nP3P: CP=CAO PSA OUR\r\n" in wire and b"\r\nCACHE-CONTROL: max-age=0\r\n" in wire
    response = http.parse_response(DAHUA_200)
    assert response.header("content-length") == "49" and response.header("p3p") == "CP=CAO PSA OUR"
    fields = http.observation_fields(response, path="/")
    assert fields["http.header_names"] == "CACHE-CONTROL,CONNECTION,CONTENT-LENGTH,CONTENT-TYPE,Etag,P3P"
    assert fields["http.header.p3p"] == "CP=CAO PSA OUR"
    assert fields["http.title"] == "WEB SERVICE"
    assert "http.www_authenticate" not in fields and "http.location" not in fields


def test_build_response_keeps_given_content_length_and_skips_204() -> None:
    wire = http.build_response(200, "OK", [("CONTENT-LENGTH", "2")], b"ok")
    assert wire.count(b"ONTENT-LENGTH") == 1 and wire.endswith(b"\r\n\r\nok")
    assert b"Content-Length" not in http.build_response(204, "No Content", [], b"")
    assert b"Content-Length" not in http.build_response(200, "OK", [], b"x", add_content_length=False)
    for bad_reason in ("OK\r\nX: 1", "OK\n"):
        with pytest.raises(HeaderInjection):
            http.build_response(200, bad_reason, [], b"")
    with pytest.raises(HeaderInjection):
        http.build_response(2000, "OK", [], b"")


def test_response_round_trip_with_redirect() -> None:
    headers = [("Server", "Hikvision-Webs"), ("Location", "/index.asp"), ("Last-Modified", "x")]
    response = http.parse_response(http.build_response(302, "Found", headers, b""))
    fields = http.observation_fields(response, path="/")
    assert (fields["http.location"], fields["http.last_modified"]) == ("/index.asp", "x")
    assert fields["http.body"] == "" and fields["http.body.length"] == "0"


def test_chunked_body_decoded_and_complete_only_at_terminator() -> None:
    response = http.parse_response(CHUNKED)
    assert response.body == b"<html><title>Hello</title></html>\n" and not response.truncated
    assert http.response_complete(CHUNKED, method="GET")
    done = [n for n in range(len(CHUNKED) + 1) if http.response_complete(CHUNKED[:n], method="GET")]
    assert done == [len(CHUNKED)]
    partial = http.parse_response(CHUNKED[:-30])
    assert partial.truncated and partial.body.startswith(b"<html>")


def test_chunked_body_capped() -> None:
    wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n" + b"a" * 16 + b"\r\n"
    response = http.parse_response(wire, body_cap=10)
    assert response.body == b"a" * 10 and response.truncated
    assert http.response_complete(wire, method="GET", body_cap=10)


@pytest.mark.parametrize(
    "bad_chunks", [b"zz\r\nabc\r\n0\r\n\r\n", b"3\r\nabcXX0\r\n\r\n", b"-1\r\n", b"1" * 40 + b"\r\n"]
)
def test_malformed_chunks_rejected(bad_chunks: bytes) -> None:
    wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + bad_chunks
    with pytest.raises(ProtocolError):
        http.parse_response(wire)
    assert http.response_complete(wire, method="GET")  # the reader stops; parse says why


def test_content_length_framing() -> None:
    wire = b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    assert [http.response_complete(wire[:n], method="GET") for n in (len(wire) - 1, len(wire))] == [
        False,
        True,
    ]
    short = http.parse_response(wire[:-2])
    assert short.body == b"hel" and short.truncated and short.version == "HTTP/1.0"
    assert http.parse_response(wire + b"extra").body == b"hello"
    assert http.parse_response(wire, body_cap=2).body == b"he"


def test_close_delimited_body_stays_incomplete_until_cap() -> None:
    wire = b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n" + b"b" * 100
    assert not http.response_complete(wire, method="GET")
    assert http.response_complete(wire, method="GET", body_cap=100)
    response = http.parse_response(wire, body_cap=60)
    assert len(response.body) == 60 and response.truncated


@pytest.mark.parametrize(
    ("head", "method"),
    [
        (b"HTTP/1.1 204 No Content\r\n\r\n", "GET"),
        (b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", "GET"),
        (b"HTTP/1.1 100 Continue\r\n\r\n", "GET"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "HEAD"),
    ],
)
def test_bodyless_responses_complete_at_head(head: bytes, method: str) -> None:
    assert not http.response_complete(head[:-1], method=method)
    assert http.response_complete(head, method=method)
    assert http.parse_response(head, method=method).body == b""


def test_bare_lf_and_obs_fold_and_no_reason() -> None:
    response = http.parse_response(b"HTTP/1.1 200\nServer: a\n  b\nContent-Length: 0\n\n")
    assert (response.reason, response.header("SERVER")) == ("", "a b")
    assert http.head_complete(b"HTTP/1.1 200 OK\r\n\r\n") and not http.head_complete(b"HTTP/1.1 200 OK\r\n")


@pytest.mark.parametrize(
    "wire",
    [
        b"",
        b"HTTP/1.1 200 OK\r\n",
        b"RTSP/1.0 200 OK\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nab",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: \xb2\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
    ],
)
def test_malformed_responses_raise_protocol_error(wire: bytes) -> None:
    with pytest.raises(ProtocolError):
        http.parse_response(wire)


def test_duplicate_identical_content_length_accepted() -> None:
    response = http.parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nab")
    assert response.body == b"ab"


def test_oversized_head_and_too_many_headers() -> None:
    huge = b"HTTP/1.1 200 OK\r\nX: " + b"a" * http.MAX_HEAD
    with pytest.raises(MessageTooLarge):
        http.parse_response(huge)
    assert http.head_complete(huge) and http.response_complete(huge, method="GET")
    many = b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 200 + b"\r\n"
    with pytest.raises(MessageTooLarge):
        http.parse_response(many)


def test_parse_request_limits() -> None:
    with pytest.raises(MessageTooLarge):
        http.parse_request(b"POST / HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n")
    assert http.request_complete(b"POST / HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n")
    with pytest.raises(ProtocolError):
        http.parse_request(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    with pytest.raises(ProtocolError):
        http.parse_request(b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nab")
    with pytest.raises(ProtocolError):
        http.parse_request(b"GET / RTSP/1.0\r\n\r\n")
    assert not http.request_complete(b"GET / HTTP/1.1\r\n")


@pytest.mark.parametrize(
    ("value", "scheme", "params"),
    [
        ('Basic realm="Hikvision"', "Basic", {"realm": "Hikvision"}),
        (
            'Digest realm="Login to 4X7C5A1ZAG21L3F", qop="auth", nonce="123/45:6", opaque="x"',
            "Digest",
            {"realm": "Login to 4X7C5A1ZAG21L3F", "qop": "auth", "nonce": "123/45:6", "opaque": "x"},
        ),
        ('digest REALM = "a, b" , Nonce=abc', "digest", {"realm": "a, b", "nonce": "abc"}),
        (r'Basic realm="say \"hi\"", charset="UTF-8"', "Basic", {"realm": 'say "hi"', "charset": "UTF-8"}),
        ('Digest realm="first", realm="second"', "Digest", {"realm": "first"}),
        ("Negotiate YIIBhgYGKwYBBQUCoIIB==", "Negotiate", {"token68": "YIIBhgYGKwYBBQUCoIIB=="}),
        ("Basic", "Basic", {}),
        # As Dahua's HTTP API document prints it (ipcamtalk.com/threads/16465, post 153083): a trailing ';'.
        (
            'Digest realm="DH_00408CA5EA04", qop="auth";',
            "Digest",
            {"realm": "DH_00408CA5EA04", "qop": "auth"},
        ),
    ],
)
def test_parse_www_authenticate(value: str, scheme: str, params: dict[str, str]) -> None:
    assert http.parse_www_authenticate(value) == (scheme, params)


def test_several_challenges_in_one_value() -> None:
    value = 'Digest realm="Hikvision", nonce="abc", stale="FALSE", Basic realm="/"'
    assert http.parse_challenges(value) == [
        ("Digest", {"realm": "Hikvision", "nonce": "abc", "stale": "FALSE"}),
        ("Basic", {"realm": "/"}),
    ]


@pytest.mark.parametrize(
    "value", ["", " , ", 'Basic realm="unterminated', 'Basic realm="a" junk', "(bad) realm=x", "Basic@x"]
)
def test_parse_www_authenticate_rejects(value: str) -> None:
    with pytest.raises(ProtocolError):
        http.parse_www_authenticate(value)


def test_unparsable_challenge_kept_raw_in_fields() -> None:
    wire = http.build_response(401, "Unauthorized", [("WWW-Authenticate", 'Basic realm="x')], b"")
    fields = http.observation_fields(http.parse_response(wire), path="/")
    assert fields["http.www_authenticate"] == 'Basic realm="x'
    assert "http.www_authenticate.scheme" not in fields


def test_two_www_authenticate_headers_joined() -> None:
    headers = [("WWW-Authenticate", 'Digest realm="a", nonce="n"'), ("WWW-Authenticate", 'Basic realm="b"')]
    response = http.parse_response(http.build_response(401, "U", headers, b""))
    fields = http.observation_fields(response, path="/")
    assert fields["http.www_authenticate"] == 'Digest realm="a", nonce="n" | Basic realm="b"'
    assert fields["http.www_authenticate.realm"] == "a"
    assert fields["http.header.www-authenticate"] == 'Digest realm="a", nonce="n"'


@pytest.mark.parametrize(
    ("body", "title"),
    [
        (b"<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>", "<script>alert(1)</script>"),
        (b"<title><script>alert(1)</script></title>", "<script>alert(1)</script>"),
        (b"\xef\xbb\xbf<!doctype html><TITLE lang=en>\n  Login \t Page\n</TITLE>", "Login Page"),
        (b"<title>\x1b[31mred\x1b[0m</title>", "[31mred [0m"),
        ("<title>\u6d77\u5eb7\u5a01\u89c6</title>".encode(), "\u6d77\u5eb7\u5a01\u89c6"),
        (b"<title>Cam\xe9ra</title>", "Cam\xe9ra"),
        (b"<title></title>", ""),
        (b"<html><body>no title</body></html>", None),
        (b"<title>unterminated", "unterminated"),
        (b"<titles>x</titles>", None),
    ],
)
def test_extract_title(body: bytes, title: str | None) -> None:
    assert http.extract_title(body) == title


def test_extract_title_bounded() -> None:
    assert len(http.extract_title(b"<title>" + b"A" * 100_000 + b"</title>") or "") == http.TITLE_MAX
    assert http.extract_title(b" " * http.TITLE_SCAN + b"<title>late</title>") is None


def test_favicon_hashes_follow_shodan_recipe() -> None:
    icon = bytes(range(256)) * 5
    hashes = http.favicon_hashes(icon)
    assert hashes["http.favicon.md5"] == hashlib.md5(icon, usedforsecurity=False).hexdigest()
    # Shodan: base64 with a newline every 76 characters, MurmurHash3 x86_32 seed 0, signed.
    encoded = base64.encodebytes(icon)
    assert encoded.count(b"\n") > 1
    assert hashes["http.favicon.mmh3"] == str(mmh3.hash(encoded))
    assert http.favicon_hashes(b"")["http.favicon.mmh3"] == "0"


def test_body_field_is_first_2048_latin1_characters() -> None:
    body = bytes(range(256)) * 20
    response = http.parse_response(http.build_response(200, "OK", [], body))
    fields = http.observation_fields(response, path="/")
    assert fields["http.body"] == body[:2048].decode("latin-1")


# ---------------------------------------------------------------- hostile input

PREFIXES = [b"", b"HTTP/1.1 200 OK\r\n", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"]


@settings(max_examples=200, deadline=None)
@given(prefix=st.sampled_from(PREFIXES), tail=st.binary(max_size=2048))
def test_arbitrary_bytes_only_raise_protocol_error(prefix: bytes, tail: bytes) -> None:
    data = prefix + tail
    for parse in (http.parse_response, http.parse_request):
        with contextlib.suppress(ProtocolError):
            parse(data)
    assert isinstance(http.response_complete(data, method="GET"), bool)
    assert isinstance(http.request_complete(data), bool)
    assert isinstance(http.head_complete(data), bool)
    http.extract_title(data)


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(HIKVISION_401) + len(DAHUA_200) + len(CHUNKED)))
def test_truncations_only_raise_protocol_error(cut: int) -> None:
    for wire in (HIKVISION_401, DAHUA_200, CHUNKED):
        try:
            response = http.parse_response(wire[:cut])
        except ProtocolError:
            assert not http.head_complete(wire[:cut])
        else:
            http.observation_fields(response, path="/")
            assert response.truncated or http.response_complete(wire[:cut], method="GET")


@settings(max_examples=200, deadline=None)
@given(value=st.text(max_size=300))
def test_www_authenticate_only_raises_protocol_error(value: str) -> None:
    try:
        scheme, params = http.parse_www_authenticate(value)
    except ProtocolError:
        return
    assert scheme and all(isinstance(v, str) for v in params.values())


@settings(max_examples=200, deadline=None)
@given(
    status=st.integers(min_value=100, max_value=999),
    headers=st.lists(
        st.tuples(
            st.from_regex(r"[A-Za-z0-9\-]{1,20}", fullmatch=True).filter(
                lambda n: n.lower() not in ("content-length", "transfer-encoding")
            ),
            st.from_regex(r"[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?", fullmatch=True),
        ),
        max_size=10,
    ),
    body=st.binary(max_size=300),
)
def test_response_round_trip_property(status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    wire = http.build_response(status, "Reason Phrase", headers, body)
    response = http.parse_response(wire)
    assert response.status == status and response.reason == "Reason Phrase"
    assert list(response.headers[: len(headers)]) == headers
    expected = b"" if status < 200 or status in (204, 304) else body
    assert response.body == expected and http.response_complete(wire, method="GET")


def test_huge_inputs_raise_message_too_large() -> None:
    huge = b"A" * (http.MAX_HEAD * 8)
    for parse in (http.parse_response, http.parse_request):
        with pytest.raises(MessageTooLarge):
            parse(huge)
    with pytest.raises(MessageTooLarge):
        http.parse_www_authenticate("Basic realm=" + "a" * 10_000)
