"""The endpoint data files load, every entry is sourced, and lookups behave as documented."""

from __future__ import annotations

import pytest

from camaudit.data.endpoints import load_endpoints, parse_endpoints
from camaudit.data.load import load_vocabulary, parse_text
from camaudit.errors import DataFileError


def test_every_packaged_entry_is_sourced_and_families_are_vocabulary_ids() -> None:
    table = load_endpoints()
    makers = load_vocabulary().manufacturers
    assert len({ep.id for ep in table.endpoints}) == len(table.endpoints) >= 15
    for ep in table.endpoints:
        assert ep.source.startswith("https://")
        assert ep.families <= set(makers), ep.id
        if ep.is_vendor:
            assert ep.operator in makers, ep.id


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("litedev.ezvizlife.com", "hik-ezviz-cloud"),
        ("LITEDEV.EZVIZLIFE.COM.", "hik-ezviz-cloud"),
        ("alarmeu.ezvizlife.com", "hik-ezviz-hikkup"),  # the longer suffix wins
        ("time.ys7.com", "ntp-ys7"),
        ("dev.hik-connect.com", "hik-ezviz-cloud"),
        ("www.easy4ipcloud.com", "dahua-easy4ip-p2p"),
        ("iotaccess.easy4ipcloud.com", "dahua-iot-access"),
        ("p2p.amcrestview.com", "amcrest-p2p"),
        ("abc123.dahuaddns.com", "dahua-ddns"),
        ("alarm.eu.s3.amazonaws.com", "aws"),
        ("0.pool.ntp.org", "ntp-pool"),
        ("notezvizlife.com", None),  # suffixes match on label boundaries only
        ("ezvizlife.com.evil.example", None),
    ],
)
def test_by_name(name: str, expected: str | None) -> None:
    found = load_endpoints().by_name(name)
    assert (found.endpoint.id if found else None) == expected


def test_by_flow_prefix_for_anyone_port_only_for_the_family() -> None:
    table = load_endpoints()
    ptcp = table.by_flow(set(), "udp", 40500, b"PTCP\x00\x00")
    assert ptcp is not None and (ptcp.endpoint.id, ptcp.by, ptcp.value) == (
        "dahua-easy4ip-p2p",
        "prefix",
        "PTCP",
    )
    assert table.by_flow({"axis"}, "udp", 8800, b"") is None
    assert table.by_flow({"hikvision"}, "udp", 8800, b"") is None
    dahua = table.by_flow({"dahua"}, "udp", 8800, b"")
    assert dahua is not None and (dahua.endpoint.id, dahua.by) == ("dahua-easy4ip-p2p", "port")
    ezviz = table.by_flow({"ezviz"}, "tcp", 31006, b"")
    assert ezviz is not None and ezviz.endpoint.id == "hik-ezviz-cloud"
    ntp = table.by_flow({"axis"}, "udp", 123, b"")  # family-free services go by port for everyone
    assert ntp is not None and ntp.endpoint.id == "ntp-pool"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("  - {id: a, name: A, category: vendor_cloud, source: 'not a url'}", "endpoints.0.source:"),
        (
            "  - {id: a, name: A, category: spyware, source: 'https://x.example'}",
            "endpoints.0.category: unknown",
        ),
        ("  - {id: a, name: A, category: ntp, ports: [8800], source: 'https://x.example'}", "ports.0"),
        ("  - {id: a, name: A, category: ntp, domains: [Bad_Domain], source: 'https://x.example'}", "domain"),
        ("  - {id: a, name: A, category: ntp, colour: red, source: 'https://x.example'}", "unknown key"),
        (
            "  - {id: a, name: A, category: vendor_p2p, ports: [udp/1], source: 'https://x.example'}",
            "families",
        ),
    ],
)
def test_bad_files_fail_with_file_line_and_key(body: str, error: str) -> None:
    text = f"schema: camaudit.endpoints/1\nsources: [https://x.example]\nendpoints:\n{body}\n"
    with pytest.raises(DataFileError, match=r"^user\.yaml:4: ") as info:
        parse_endpoints(parse_text(text, "user.yaml"))
    assert error in str(info.value)
