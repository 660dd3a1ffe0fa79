"""ReadOnlyRequest.http_get_digest: GET only, one fixed path, the Authorization header as the only
extra, and never shown by repr."""

from __future__ import annotations

import dataclasses

import pytest

from camaudit.net.readonly import ReadOnlyRequest, RequestKind
from camaudit.protocols import digest

CHALLENGE = digest.Challenge("IP Camera(L4906)", "4e6a46434e6a")


def _auth(path: str) -> str:
    return digest.authorization(CHALLENGE, username="admin", password="pw-not-in-repr", uri=path)


def test_builds_a_bodiless_get_with_only_the_authorization_header_added() -> None:
    req = ReadOnlyRequest.http_get_digest(
        "10.0.0.1", "/ISAPI/System/deviceInfo", _auth("/ISAPI/System/deviceInfo")
    )
    assert req.kind is RequestKind.HTTP_DIGEST
    head = req.payload.decode()
    assert head.startswith("GET /ISAPI/System/deviceInfo HTTP/1.1\r\n") and head.endswith("\r\n\r\n")
    plain = ReadOnlyRequest.http_get("10.0.0.1", "/ISAPI/System/deviceInfo").payload.decode()
    extra = set(head.split("\r\n")) - set(plain.split("\r\n"))
    assert len(extra) == 1 and extra.pop().startswith("Authorization: Digest ")


def test_repr_and_str_never_show_the_authorization() -> None:
    value = _auth("/a")
    req = ReadOnlyRequest.http_get_digest("10.0.0.1", "/a", value)
    for text in (repr(req), str(req)):
        assert "Digest" not in text and "response=" not in text and "pw-not-in-repr" not in text


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("/a", "Basic YWRtaW46MTIzNDU=", "Digest"),
        ("/a", _auth("/other"), "another path"),
        ("/a", _auth("/a") + "\r\nX-Injected: 1", "CR/LF"),
        ("/a b", _auth("/a b"), "path"),
    ],
)
def test_refuses_other_schemes_paths_and_injection(path: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReadOnlyRequest.http_get_digest("10.0.0.1", path, value)


def test_only_get_and_only_this_kind_carry_credentials() -> None:
    with pytest.raises(ValueError, match="only GET"):
        ReadOnlyRequest._make(
            RequestKind.HTTP_DIGEST, method="HEAD", target="/a", host="h", authorization=_auth("/a")
        )
    with pytest.raises(ValueError, match="takes no Authorization"):
        ReadOnlyRequest._make(
            RequestKind.HTTP, method="GET", target="/a", host="h", authorization=_auth("/a")
        )
    req = ReadOnlyRequest.http_get_digest("h", "/a", _auth("/a"))
    with pytest.raises(ValueError, match="HTTP method"):
        dataclasses.replace(req, method="PUT")
