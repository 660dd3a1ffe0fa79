"""Dahua CGI key=value answers: facts kept, everything else dropped, hostile tables bounded."""

from __future__ import annotations

import pytest

from camaudit.errors import ProtocolError
from camaudit.protocols import dahua_cgi


def test_system_info_and_version() -> None:
    info = b"deviceType=IPC-HDW5831R-ZE\r\nhardwareVersion=1.00\r\nprocessor=S3LM\r\n"
    info += b"serialNumber=4X7C5A1ZAG21L3F\r\n"
    assert dahua_cgi.parse(info, "getSystemInfo") == {
        "auth.device.model": "IPC-HDW5831R-ZE",
        "auth.device.serial": "4X7C5A1ZAG21L3F",
    }
    assert dahua_cgi.parse(b"version=2.800.0000000.25.R,build:2023-04-12\r\n", "getSoftwareVersion") == {
        "auth.device.firmware": "2.800.0000000.25.R"
    }


def test_ntp_only_reports_servers_when_enabled() -> None:
    off = dahua_cgi.parse(b"table.NTP.Address=pool.ntp.org\r\ntable.NTP.Enable=false\r\n", "NTP")
    assert off == {"auth.ntp": "disabled"}
    on = dahua_cgi.parse(
        b"table.NTP.Address=pool.ntp.org\r\ntable.NTP.Enable=true\r\ntable.NTP.Port=123\r\n", "NTP"
    )
    assert on == {"auth.ntp": "enabled", "auth.ntp.servers": "pool.ntp.org:123"}


def test_email_push_keeps_the_server_never_the_recipients() -> None:
    body = b"table.Email.Enable=true\r\ntable.Email.Address=mail.example.org\r\n"
    body += b"table.Email.Receivers[0]=a@example.org\r\n"
    facts = dahua_cgi.parse(body, "Email")
    assert facts == {"auth.event_push": "smtp://mail.example.org:25"}


@pytest.mark.parametrize("body", [b"", b"Error\r\nInvalid Authority!\r\n", b"<html>login</html>", b"=x\r\n"])
def test_not_a_table(body: bytes) -> None:
    with pytest.raises(ProtocolError):
        dahua_cgi.parse_table(body)


def test_control_characters_and_odd_keys_are_skipped() -> None:
    table = dahua_cgi.parse_table(b"ok.Key=1\r\nbad key=2\r\n\x1b[31m=3\r\nok.Key=4\r\n")
    assert table == {"ok.Key": "1"}
