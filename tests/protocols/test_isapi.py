"""ISAPI document parsers: vendor-neutral facts from read-only answers, OEM namespaces alike."""

from __future__ import annotations

import pytest

from camaudit.errors import ProtocolError
from camaudit.protocols import isapi

HIK = 'xmlns="http://www.hikvision.com/ver20/XMLSchema"'
OEM = 'xmlns="http://www.std-cgi.com/ver20/XMLSchema"'


@pytest.mark.parametrize("ns", [HIK, OEM, ""])
def test_device_info_firmware_is_spelled_like_sadp(ns: str) -> None:
    body = (
        f"<DeviceInfo {ns}><model>DS-2CD2143G2-I</model><serialNumber>S1</serialNumber>"
        "<firmwareVersion>V5.7.3</firmwareVersion>"
        "<firmwareReleasedDate>build 220112</firmwareReleasedDate></DeviceInfo>"
    ).encode()
    facts = isapi.parse(body, "DeviceInfo")
    assert facts == {
        "auth.device.model": "DS-2CD2143G2-I",
        "auth.device.serial": "S1",
        "auth.device.firmware": "V5.7.3 build 220112",
    }


def test_ezviz_cloud_state_and_server() -> None:
    body = (
        f"<EZVIZ {HIK}><enabled>false</enabled><registerStatus>false</registerStatus><serverAddress>"
        "<addressingFormatType>hostname</addressingFormatType>"
        "<hostName>litedev.hik-connect.com</hostName></serverAddress></EZVIZ>"
    ).encode()
    assert isapi.parse(body, "EZVIZ") == {
        "auth.cloud.hik_connect": "disabled",
        "auth.cloud.hik_connect.registered": "false",
        "auth.cloud.hik_connect.server": "litedev.hik-connect.com",
    }


def test_event_push_and_services() -> None:
    hosts = (
        f"<HttpHostNotificationList {HIK}><HttpHostNotification><url>/a</url>"
        "<protocolType>HTTPS</protocolType><hostName>alarms.example.org</hostName><portNo>443</portNo>"
        "</HttpHostNotification><HttpHostNotification><url>/b</url></HttpHostNotification>"
        "</HttpHostNotificationList>"
    ).encode()
    assert isapi.parse(hosts, "HttpHostNotificationList") == {
        "auth.event_push": "https://alarms.example.org:443/a"
    }
    access = (
        f"<AdminAccessProtocolList {HIK}><AdminAccessProtocol><enabled>false</enabled>"
        "<protocol>SSH</protocol><portNo>22</portNo></AdminAccessProtocol><AdminAccessProtocol>"
        "<enabled>true</enabled><protocol>bad proto!</protocol><portNo>1</portNo></AdminAccessProtocol>"
        "</AdminAccessProtocolList>"
    ).encode()
    assert isapi.parse(access, "AdminAccessProtocolList") == {"auth.service.ssh": "disabled:22"}


def test_the_wrong_document_is_an_error() -> None:
    with pytest.raises(ProtocolError, match="expected an ISAPI UPnP document"):
        isapi.parse(f"<userCheck {HIK}><statusValue>401</statusValue></userCheck>".encode(), "UPnP")
