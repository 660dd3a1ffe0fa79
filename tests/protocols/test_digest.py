"""HTTP Digest (RFC 7616): the RFC's own example, round trips, and hostile challenges."""

from __future__ import annotations

import pytest

from camaudit.errors import ProtocolError
from camaudit.protocols import digest

# RFC 7616 §3.9.1: user "Mufasa", password "Circle of Life", GET /dir/index.html.
RFC_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
RFC_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_rfc_7616_example_response(algorithm: str, expected: str) -> None:
    challenge = digest.Challenge("http-auth@example.org", RFC_NONCE, "auth", "", algorithm)
    got = digest.expected_response(
        challenge, username="Mufasa", password="Circle of Life", method="GET",
        uri="/dir/index.html", nc="00000001", cnonce=RFC_CNONCE,
    )  # fmt: skip
    assert got == expected


def test_hikvision_and_dahua_challenges_parse() -> None:
    hik = 'Digest qop="auth", realm="IP Camera(L4906)", nonce="4e6a46434e6a", stale="FALSE"'
    dahua = 'Digest realm="Login to 6G0B7E3PAJ12F45", qop="auth", nonce="1789512345", opaque="2b6f"'
    assert digest.parse_challenge([hik]) == digest.Challenge("IP Camera(L4906)", "4e6a46434e6a")
    parsed = digest.parse_challenge(['Basic realm="x"', dahua])
    assert parsed is not None and parsed.opaque == "2b6f" and parsed.realm.startswith("Login to ")


def test_basic_only_gives_no_challenge() -> None:
    assert digest.parse_challenge(['Basic realm="hikvision"']) is None
    assert digest.parse_challenge(['Digest realm="r", nonce="n", qop="auth-int"']) is None
    assert digest.parse_challenge(['Digest realm="r", nonce="n", algorithm=SHA-512-256']) is None


def test_authorization_round_trip_verifies_only_the_right_password() -> None:
    challenge = digest.Challenge("Login to ABC", "1789512345", opaque="2b6f")
    value = digest.authorization(challenge, username="admin", password="s3cret", uri="/cgi-bin/x?a=b")
    assert "s3cret" not in value
    sent = digest.parse_authorization(value)
    assert sent.uri == "/cgi-bin/x?a=b" and sent.challenge.opaque == "2b6f"
    assert digest.verify(sent, password="s3cret", method="GET")
    assert not digest.verify(sent, password="s3cret2", method="GET")
    assert not digest.verify(sent, password="s3cret", method="PUT")


def test_rfc_2069_form_without_qop() -> None:
    challenge = digest.parse_challenge(['Digest realm="r", nonce="n"'])
    assert challenge is not None and challenge.qop == ""
    value = digest.authorization(challenge, username="u", password="p", uri="/")
    assert "qop=" not in value and digest.verify(
        digest.parse_authorization(value), password="p", method="GET"
    )


@pytest.mark.parametrize(
    "value",
    [
        "Basic dXNlcjpwYXNz",
        'Digest username="u", realm="r", nonce="n", uri="/"',
        'Digest username="u", realm="r", nonce="n", uri="/", response="x", algorithm=MD4',
        'Digest username="u\\"x", realm="r", nonce="n", uri="/", response="x"',
    ],
)
def test_bad_authorizations_are_refused(value: str) -> None:
    with pytest.raises(ProtocolError):
        digest.parse_authorization(value)


def test_hostile_challenge_parameters_are_refused() -> None:
    with pytest.raises(ProtocolError):
        digest.parse_challenge(['Digest realm="' + "r" * 600 + '", nonce="n"'])
