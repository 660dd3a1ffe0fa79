"""`-p` in nmap's syntax: TCP and UDP ports, ranges, open ranges, errors that name the item; the
selection limits the TCP sweep, the discovery inquiries and the follow-up requests."""

from __future__ import annotations

import pytest

from camaudit.errors import InputError
from camaudit.model import Observation, Transport
from camaudit.sources.ports import MAX_PORT, PortSelection, parse_ports, select_probes
from camaudit.sources.probes import PROBES, Stage, tcp


def test_lists_ranges_and_prefixes() -> None:
    chosen = parse_ports("80,443, 8000-8002,U:3702,T:554")
    assert chosen.tcp == {80, 443, 8000, 8001, 8002, 554}
    assert chosen.udp == {3702}
    assert parse_ports("U:37020").tcp is None  # TCP keeps the camera ports


@pytest.mark.parametrize(("spec", "size"), [("-", MAX_PORT), ("1-", MAX_PORT), ("-100", 100), ("65535", 1)])
def test_open_ranges_as_nmap_reads_them(spec: str, size: int) -> None:
    assert len(parse_ports(spec).tcp or ()) == size


@pytest.mark.parametrize(
    ("spec", "message"),
    [("", "give ports"), ("http", "'http' is not a port"), ("0-10", "not within"), ("90-80", "not within"),
     ("S:80", "only T: .*and U:"), ("70000", "not within")],
)  # fmt: skip
def test_bad_specs_name_the_item(spec: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_ports(spec)


def test_no_selection_keeps_every_probe_unchanged() -> None:
    assert select_probes(None) == PROBES


def test_the_selection_limits_the_sweep_and_discovery() -> None:
    probes = {p.name: p for p in select_probes(parse_ports("80,554,U:3702"))}
    assert probes["tcp"].ports == ((80, Transport.TCP), (554, Transport.TCP))
    reach_udp = {n for n, p in probes.items() if p.stage is Stage.REACH and n != "tcp"}
    assert reach_udp == {"wsdiscovery"}
    assert "http" in probes and "rtsp" in probes  # they run only where the sweep found ports open


def test_follow_up_requests_stay_on_the_chosen_ports() -> None:
    upnp = next(p for p in select_probes(parse_ports("80")) if p.stage is Stage.FOLLOW)
    reply = Observation(
        source="probe:ssdp", ip="127.0.0.9", port=1900, transport=Transport.UDP, protocol="ssdp",
        kind="ssdp.reply", fields={"ssdp.location": "http://127.0.0.9:49152/description.xml"},
    )  # fmt: skip
    unrestricted = next(p for p in PROBES if p.stage is Stage.FOLLOW)
    assert [t.port for t in unrestricted.follow("127.0.0.9", [reply])] == [49152]
    assert upnp.follow("127.0.0.9", [reply]) == []


def test_default_tcp_ports_are_the_camera_ports() -> None:
    assert PortSelection().tcp_ports == tcp.CAMERA_PORTS
