"""Scope, proven on the wire (issue 13): a full audit with every option on, inside the layer-2 lab whose
scanner namespace also has a dead-end uplink (a `dummy` interface holding the default route: whatever is
routed off the lab link, DNS included, goes there and no further). tcpdump records every packet the
scanner's namespace sends on the lab bridge, the uplink and loopback; none may go to an address outside
the named scope, and new connections keep to the rate asked for.

Needs root, iproute2 and tcpdump; skips with the reason otherwise. Everything runs inside namespaces
the test creates (198.18.0.0/24, the uplink 198.19.255.0/30) and removes.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dpkt
import pytest

from camaudit.errors import LabError
from camaudit.lab import netns
from camaudit.lab.netns import NetnsLab
from camaudit.lab.profile import load_profiles

pytestmark = pytest.mark.netns

PROFILES = ["axis-camera", "dahua-ipc-default-password", "hikvision-ipc", "hikvision-nvr-lockout", "liar"]
OWNER_PASSWORD = "Owner-Set-9vQ2-lab"  # the lockout NVR's password in its lab profile
RATE = 40.0  # --rate: new connections or datagrams per second
BURST = 10  # Limits.burst: the token bucket may start full
UPLINK, UPLINK_ADDRESS, GATEWAY = "uplink0", "198.19.255.1/30", "198.19.255.2"
GATEWAY_MAC = "02:00:00:00:00:fe"  # no interface has it: what the uplink sends is taken by nobody
# Discovery groups --multicast may send to (TTL 1, the lab link only): SADP/SSDP/WS-D, DHIP, mDNS, and the
# IGMP reports the kernel sends for a socket that joins a group.
MULTICAST = ipaddress.ip_network("224.0.0.0/4")
# ICMPv6 the kernel itself sends on any link (router/neighbour solicitation, MLD reports), not the scanner.
KERNEL_ICMP6 = {133, 135, 136, 143}
# After the scan the test itself sends one datagram off the lab link, to show the recording sees such a
# packet: 198.19.0.99 is in the benchmarking range, outside the lab and the uplink's own /30.
CANARY = ("198.19.0.99", 9)
CANARY_SEND = (
    "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
    f"s.sendto(b'camaudit-scope-canary', {CANARY!r})"
)


@dataclass
class Capture:
    interface: str
    path: Path
    process: subprocess.Popen[bytes]


def _ns(namespace: str, *argv: str) -> None:
    subprocess.run(["ip", "netns", "exec", namespace, *argv], check=True, capture_output=True, timeout=15)


def _start_capture(namespace: str, interface: str, path: Path) -> Capture:
    argv = [
        "ip",
        "netns",
        "exec",
        namespace,
        "tcpdump",
        "-i",
        interface,
        "-n",
        "-U",
        "-s",
        "256",
        "-w",
        str(path),
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    line = proc.stderr.readline().decode(errors="replace")  # "listening on IF, link-type …" once it captures
    if "listening on" not in line:
        proc.kill()
        proc.wait()
        proc.stderr.close()
        raise RuntimeError(f"tcpdump did not start on {interface}: {line}")
    return Capture(interface, path, proc)


def _stop_capture(capture: Capture) -> None:
    capture.process.send_signal(signal.SIGINT)  # tcpdump flushes and exits
    try:
        capture.process.wait(10)
    except subprocess.TimeoutExpired:
        capture.process.kill()
        capture.process.wait()
    if capture.process.stderr is not None:
        capture.process.stderr.close()


def _await_canary(path: Path, within: float = 15.0) -> None:
    """Stop recording only once tcpdump has written the canary: on a loaded machine a fixed pause let
    SIGINT drop it from the kernel's buffer (the test then failed though nothing left the scope)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if path.exists() and b"camaudit-scope-canary" in path.read_bytes():
            return
        time.sleep(0.1)


def _packets(path: Path) -> Iterator[tuple[float, dpkt.ethernet.Ethernet]]:
    with path.open("rb") as handle:
        for ts, frame in dpkt.pcap.Reader(handle):
            yield ts, dpkt.ethernet.Ethernet(frame)


@pytest.fixture(scope="module")
def scope_lab() -> Iterator[NetnsLab]:
    try:
        netns.check_available()
    except LabError as exc:
        pytest.skip(str(exc))
    if shutil.which("tcpdump") is None:
        pytest.skip("the scope test records packets with tcpdump, which is not installed (make deps)")
    with NetnsLab(load_profiles(PROFILES), ready_timeout=120) as lab:
        ns = lab.scanner_namespace
        # The dead-end uplink: a veth pair inside the scanner's namespace (removed with it); the gateway
        # is a permanent neighbour with a MAC nobody has, so packets really leave through the uplink
        # (where tcpdump sees them) and the other end drops them as meant for another host.
        _ns(ns, "ip", "link", "add", UPLINK, "type", "veth", "peer", "name", f"{UPLINK}-end")
        _ns(ns, "ip", "addr", "add", UPLINK_ADDRESS, "dev", UPLINK)
        _ns(ns, "ip", "link", "set", f"{UPLINK}-end", "up")
        _ns(ns, "ip", "link", "set", UPLINK, "up")
        _ns(ns, "ip", "neigh", "add", GATEWAY, "lladdr", GATEWAY_MAC, "dev", UPLINK, "nud", "permanent")
        _ns(ns, "ip", "route", "add", "default", "via", GATEWAY, "dev", UPLINK)
        yield lab


@pytest.fixture(scope="module")
def audit(scope_lab: NetnsLab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every option on: multicast, verification, default credentials, a credentials file (so the
    authenticated reads), into a register; the capture runs from before the scan to after it."""
    work = tmp_path_factory.mktemp("scope")
    where = {e["profile"]: e["address"] for e in scope_lab.manifest()}
    creds = work / "creds.toml"
    creds.write_text(
        f'[[credentials]]\ntarget = "{where["hikvision-nvr-lockout"]}"\nusername = "admin"\n'
        'password_env = "CAM_NVR_PASSWORD"\n',
        encoding="utf-8",
    )
    ns = scope_lab.scanner_namespace
    captures = [_start_capture(ns, i, work / f"{i}.pcap") for i in (scope_lab.bridge, UPLINK, "lo")]
    argv = [sys.executable, "-m", "camaudit", "scan", *where.values(), "--multicast", "--verify",
            "--check-default-credentials", "--credentials", str(creds), "--rate", str(RATE),
            "--timeout", "2", "--db", str(work / "register.sqlite"), "--json", "-"]  # fmt: skip
    env = {**os.environ, "CAM_NVR_PASSWORD": OWNER_PASSWORD}
    start = time.monotonic()
    try:
        done = subprocess.run(
            scope_lab.scanner_argv(argv), capture_output=True, timeout=240, env=env, check=False
        )
        seconds = time.monotonic() - start
        time.sleep(1.0)  # late replies and the kernel's last retransmissions
        scope_lab.exec_in_scanner([sys.executable, "-c", CANARY_SEND])
        _await_canary(work / f"{UPLINK}.pcap")
    finally:
        for capture in captures:
            _stop_capture(capture)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return {
        "doc": json.loads(done.stdout),
        "seconds": seconds,
        "scope": set(where.values()),
        "scanner": scope_lab.scanner_address,
        "captures": {c.interface: c.path for c in captures},
        "bridge": scope_lab.bridge,
    }


def _out_of_scope(audit: dict[str, Any]) -> tuple[Counter[str], int]:
    """Packets the scanner's namespace sent anywhere but the named scope, by kind; and packets seen."""
    scope, scanner = audit["scope"], audit["scanner"]
    bad: Counter[str] = Counter()
    seen = 0
    for interface, path in audit["captures"].items():
        for _, eth in _packets(path):
            seen += 1
            packet = eth.data
            if isinstance(packet, dpkt.ip6.IP6):
                icmp = packet.data if isinstance(packet.data, dpkt.icmp6.ICMP6) else None
                if icmp is None or icmp.type not in KERNEL_ICMP6:
                    bad[f"{interface}: IPv6 to {ipaddress.IPv6Address(packet.dst)}"] += 1
                continue
            if interface == UPLINK:  # nothing of the scanner's has any business off the lab link
                canary = isinstance(packet, dpkt.ip.IP) and bytes(packet.data)[8:] == b"camaudit-scope-canary"
                bad["canary" if canary else f"{interface}: {type(packet).__name__}"] += 1
                continue
            if isinstance(packet, dpkt.arp.ARP):
                target = str(ipaddress.IPv4Address(packet.tpa))
                asker = str(ipaddress.IPv4Address(packet.spa))
                if asker == scanner and packet.op == dpkt.arp.ARP_OP_REQUEST and target not in scope:
                    bad[f"{interface}: ARP who-has {target}"] += 1
            elif isinstance(packet, dpkt.ip.IP):
                src, dst = str(ipaddress.IPv4Address(packet.src)), ipaddress.IPv4Address(packet.dst)
                if src != scanner and interface != "lo":
                    continue  # a device's own packet (a reply, its multicast answers)
                if str(dst) in scope or (dst in MULTICAST and interface != "lo" and packet.ttl == 1):
                    continue
                if dst in MULTICAST and packet.p == dpkt.ip.IP_PROTO_IGMP:
                    continue
                bad[f"{interface}: {dst} proto {packet.p}"] += 1
    return bad, seen


def _syns(audit: dict[str, Any]) -> list[float]:
    """Times of the scanner's connection attempts (first SYN of each connection, not retransmissions)."""
    first: dict[tuple[bytes, int, int], float] = {}
    for ts, eth in _packets(audit["captures"][audit["bridge"]]):
        packet = eth.data
        if not isinstance(packet, dpkt.ip.IP) or not isinstance(packet.data, dpkt.tcp.TCP):
            continue
        tcp = packet.data
        syn = tcp.flags & dpkt.tcp.TH_SYN and not tcp.flags & dpkt.tcp.TH_ACK
        if syn and str(ipaddress.IPv4Address(packet.src)) == audit["scanner"]:
            first.setdefault((packet.dst, tcp.dport, tcp.sport), ts)
    return sorted(first.values())


def test_a_full_audit_sends_nothing_outside_the_named_scope(audit: dict[str, Any]) -> None:
    bad, seen = _out_of_scope(audit)
    canary = bad.pop("canary", 0)
    out = sum(bad.values())
    print(f"\nscope: {seen} packets recorded in {audit['seconds']:.1f} s, {out} out of scope {dict(bad)}")
    assert canary == 1  # the recording does see a packet sent off the lab link
    assert bad == Counter()
    options = audit["doc"]["audit"]["options"]
    assert options["credentials"] is True and options["multicast"] is True


def test_the_audit_did_what_every_option_asks(audit: dict[str, Any]) -> None:
    devices = {d["ip"]: d for d in audit["doc"]["devices"]}
    checks = {f["check_id"] for d in devices.values() for f in d["findings"]}
    assert "default-credentials" in checks  # the Dahua with its default password
    assert any(c.startswith("auth-") for c in checks)  # the authenticated reads of the NVR
    sources = {e["source"] for d in devices.values() for e in d["evidence"]}
    assert any(s.startswith("multicast:") for s in sources)


def test_new_connections_keep_to_the_rate(audit: dict[str, Any]) -> None:
    syns = _syns(audit)
    assert len(syns) > 2 * RATE  # enough connections for the rate to show
    busiest = max(sum(1 for t in syns[i:] if t - s < 1.0) for i, s in enumerate(syns))
    span = syns[-1] - syns[0]
    print(f"\nrate: {len(syns)} SYNs over {span:.1f} s, {len(syns) / span:.1f}/s, busiest second {busiest}")
    assert busiest <= RATE + BURST
    assert len(syns) - BURST <= RATE * span * 1.05
