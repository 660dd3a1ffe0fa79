"""The lab's mDNS responder: a browse for an advertised type is answered; anything else is refused."""

from __future__ import annotations

import socket
import struct

from tests.lab.clients import udp_ask

from camaudit.lab.runner import Lab
from camaudit.protocols import mdns


def _silent(address: str, payload: bytes) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.3)
        sock.sendto(payload, (address, mdns.PORT))
        try:
            sock.recv(65536)
        except TimeoutError:
            return True
        return False


def _log(lab: Lab, device: str, before: int) -> list[tuple[str, bool]]:
    return [
        (r.method, r.state_changing)
        for r in lab.requests[before:]
        if r.device == device and r.protocol == "mdns"
    ]


def test_axis_answers_its_browse_with_the_mac_in_txt(lab: Lab) -> None:
    address = lab.addresses["axis-camera"]
    before = len(lab.requests)
    data = udp_ask(address, mdns.PORT, mdns.build_query(query_id=4242))
    message = mdns.parse_message(data)
    assert message.id == 4242 and message.is_response and len(message.questions) == len(mdns.BROWSE)
    fields = mdns.observation_fields(mdns.parse_response(data))
    assert fields == {
        "mdns.services": "_axis-video._tcp.local",
        "mdns.instance": "AXIS P3225-LV Mk II - ACCC8EA31ABF._axis-video._tcp.local",
        "mdns.hostname": "axis-accc8ea31abf.local",
        "mdns.txt.macaddress": "ACCC8EA31ABF",
    }
    assert {r.address for r in message.records if r.type == mdns.TYPE_A} == {address}
    assert _log(lab, "axis-camera", before) == [("query", False)]


def test_hikvision_answers_cgi(lab: Lab) -> None:
    address = lab.addresses["hikvision-ipc"]
    answer = mdns.parse_response(udp_ask(address, mdns.PORT, mdns.build_query(("_CGI._tcp.local",))))
    assert answer.instances == ("HIKVISION DS-2CD2347G2-LU - L49061234._CGI._tcp.local",)
    assert answer.hostnames[0] == "DS-2CD2347G2-LU20230915AAWRL49061234.local"


def test_a_type_not_advertised_gets_silence(lab: Lab) -> None:
    assert _silent(lab.addresses["axis-camera"], mdns.build_query(("_ipp._tcp.local",)))


def test_responses_and_updates_are_state_changing_and_unanswered(lab: Lab) -> None:
    address = lab.addresses["axis-camera"]
    before = len(lab.requests)
    query = mdns.parse_message(mdns.build_query(("_axis-video._tcp.local",)))
    offered = mdns.ServiceInstance("_axis-video._tcp.local", "Evil", "evil.local", 80)
    unsolicited = mdns.build_response(query, offered, "10.0.0.1")
    update = struct.pack(">HHHHHH", 1, 5 << 11, 0, 0, 0, 0)  # opcode 5: DNS UPDATE (RFC 2136)
    assert _silent(address, unsolicited) and _silent(address, update) and _silent(address, b"\x01")
    assert _log(lab, "axis-camera", before) == [("response", True), ("opcode-5", True), ("malformed", False)]
