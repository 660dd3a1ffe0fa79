"""zgrab2: the real http module outputs of zgrab2's own schema tests (zgrab2_schemas/zgrab2/testdata)."""

from __future__ import annotations

from camaudit.sources.imports import read_file

from .conftest import DATA, kinds, split


def test_http() -> None:
    (host,), problems = split(list(read_file(DATA / "zgrab2_http.json")))
    assert problems == []
    fields = kinds(host)[(80, "http.response")]
    assert fields["http.header.server"] == "lighttpd/1.4.35"
    assert fields["http.header.etag"] == '"2262550883"'
    assert fields["http.status"] == "200"


def test_https_certificate() -> None:
    (host,), _ = split(list(read_file(DATA / "zgrab2_https.json")))
    seen = kinds(host)
    assert seen[(443, "tls.certificate")]["tls.subject"] == "CN=target"
    assert seen[(443, "http.response")]["http.status"] == "200"
