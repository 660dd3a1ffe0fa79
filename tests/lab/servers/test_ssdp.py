"""The lab's SSDP responder: M-SEARCH gets the profile's replies, everything else is logged and refused."""

from __future__ import annotations

import socket

import pytest
from tests.lab.clients import udp_ask

from camaudit.lab.runner import Lab
from camaudit.protocols import upnp

DEVICE = "axis-camera"


def _replies(address: str, payload: bytes, wait: float = 0.5) -> list[bytes]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(wait)
        sock.sendto(payload, (address, upnp.PORT))
        got = []
        try:
            while True:
                got.append(sock.recv(65536))
        except TimeoutError:
            return got


def _log(lab: Lab, before: int) -> list[tuple[str, str, bool]]:
    return [
        (r.method, r.path, r.state_changing)
        for r in lab.requests[before:]
        if r.device == DEVICE and r.protocol == "ssdp"
    ]


def test_rootdevice_search_names_the_devices_own_description(lab: Lab) -> None:
    address = lab.addresses[DEVICE]
    before = len(lab.requests)
    reply = upnp.parse_reply(udp_ask(address, upnp.PORT, upnp.build_msearch()))
    assert reply.headers["st"] == "upnp:rootdevice"
    assert reply.headers["usn"] == "uuid:Upnp-BasicDevice-1_0-ACCC8EA31ABF::upnp:rootdevice"
    assert reply.location == f"http://{address}:45895/rootdesc1.xml"
    assert reply.headers["server"].startswith("Linux/4.9.94-axis5, UPnP/1.0")
    assert _log(lab, before) == [("M-SEARCH", "upnp:rootdevice", False)]


def test_ssdp_all_gets_every_reply_and_an_unknown_target_none(lab: Lab) -> None:
    address = lab.addresses[DEVICE]
    sts = {upnp.parse_reply(d).headers["st"] for d in _replies(address, upnp.build_msearch("ssdp:all"))}
    assert sts == {"upnp:rootdevice", "urn:axis-com:service:BasicService:1"}
    assert _replies(address, upnp.build_msearch("urn:schemas-upnp-org:device:MediaServer:1"), 0.3) == []


@pytest.mark.parametrize(
    ("payload", "method"),
    [
        (
            b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
            b"NT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n\r\n",
            "NOTIFY",
        ),
        (b"SUBSCRIBE /upnp/event/BasicServiceId HTTP/1.1\r\nCALLBACK: <http://x/>\r\n\r\n", "SUBSCRIBE"),
        (b"POST /upnp/control/BasicServiceId HTTP/1.1\r\nSOAPACTION: x\r\n\r\n", "POST"),
    ],
)
def test_other_messages_are_logged_as_state_changing_and_unanswered(
    lab: Lab, payload: bytes, method: str
) -> None:
    address = lab.addresses[DEVICE]
    before = len(lab.requests)
    assert _replies(address, payload, 0.3) == []
    assert [(m, c) for m, _, c in _log(lab, before)] == [(method, True)]


def test_garbage_and_a_search_without_man_are_not_answered(lab: Lab) -> None:
    address = lab.addresses[DEVICE]
    before = len(lab.requests)
    assert _replies(address, b"\x00\x01garbage", 0.3) == []
    assert _replies(address, b"M-SEARCH * HTTP/1.1\r\nST: ssdp:all\r\n\r\n", 0.3) == []
    assert _log(lab, before) == [("malformed", "", False), ("M-SEARCH", "ssdp:all", False)]
