"""The layer-2 namespace lab: real namespaces, a real bridge, real multicast and ARP, always torn down.

Traffic in these tests flows only between namespaces the test creates (198.18.0.0/24 inside the lab's
own scanner namespace); nothing is sent on the host's interfaces.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from camaudit.errors import LabError
from camaudit.lab import netns
from camaudit.lab.netns import NetnsDevice, NetnsLab
from camaudit.lab.profile import Profile, load_profiles
from camaudit.protocols import dhip, mdns, sadp, upnp

pytestmark = pytest.mark.netns


@dataclass(frozen=True)
class Stub:
    id: str
    mac: str


# A minimal device: joins the SADP group on its address, answers every datagram with "<id>:<payload>",
# and writes its one-device manifest once listening (as `camaudit lab serve --only` does).
STUB = textwrap.dedent("""
    import json, socket, sys
    profile, address, manifest = sys.argv[1:4]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 37020))
    group = socket.inet_aton("239.255.255.250") + socket.inet_aton(address)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, group)
    entry = {"profile": profile, "ports": {"37020/udp": 37020}, "expected": {"manufacturer": None}}
    with open(manifest + ".tmp", "w") as f:
        json.dump([entry], f)
    import os; os.rename(manifest + ".tmp", manifest)
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(profile.encode() + b":" + data, peer)
""")

# Sent from the scanner namespace: one datagram to (host, port), prints every answer as JSON lines.
CLIENT = textwrap.dedent("""
    import json, socket, sys, time
    host, port, payload, wait = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3]), float(sys.argv[4])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.bind(("0.0.0.0", 0))
    s.sendto(payload, (host, port))
    end = time.monotonic() + wait
    while (left := end - time.monotonic()) > 0:
        s.settimeout(left)
        try:
            data, peer = s.recvfrom(65535)
        except TimeoutError:
            break
        print(json.dumps({"from": peer[0], "data": data.hex()}), flush=True)
""")

STUBS = (Stub("stub-hik", "44:19:B6:00:00:01"), Stub("stub-dahua", "3c-ef-8c-00-00-02"))


def stub_command(device: NetnsDevice, manifest: Path) -> list[str]:
    return [sys.executable, "-c", STUB, device.profile, device.address, str(manifest)]


@pytest.fixture(scope="module", autouse=True)
def _netns_available() -> None:
    try:
        netns.check_available()
    except LabError as exc:
        pytest.skip(str(exc))


def ask(lab: NetnsLab, host: str, port: int, payload: bytes, wait: float = 1.0) -> list[tuple[str, bytes]]:
    """Send one datagram from the scanner namespace; every (source address, reply) that came back."""
    done = lab.exec_in_scanner([sys.executable, "-c", CLIENT, host, str(port), payload.hex(), str(wait)])
    assert done.returncode == 0, done.stderr.decode()
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    return [(line["from"], bytes.fromhex(line["data"])) for line in lines]


def ours(lab_id: str) -> list[str]:
    """Everything named after this lab still on the machine: namespaces, host links, the lock file."""
    spaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True).stdout
    found = [line for line in (spaces + links).splitlines() if lab_id in line]
    return found + [str(p) for p in netns.LOCK_DIR.glob(f"{lab_id}.lock")]


def alive(pids: Sequence[int]) -> list[int]:
    """The pids that still run (a zombie waiting for a reaper counts as gone)."""
    result = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            result.append(pid)
    return result


def namespace_pids(lab: NetnsLab) -> list[int]:
    out = []
    for device in lab.devices:
        done = subprocess.run(["ip", "netns", "pids", device.namespace], capture_output=True, text=True)
        out += [int(p) for p in done.stdout.split()]
    return out


@pytest.fixture
def stub_lab() -> Iterator[NetnsLab]:
    with NetnsLab(STUBS, command=stub_command) as lab:
        yield lab


# -- the lab comes up ------------------------------------------------------------------------------------


def test_manifest_has_the_loopback_lab_shape(stub_lab: NetnsLab) -> None:
    assert stub_lab.manifest() == [
        {"profile": "stub-hik", "address": "198.18.0.10", "mac": "44:19:b6:00:00:01",
         "ports": {"37020/udp": 37020}, "expected": {"manufacturer": None}},
        {"profile": "stub-dahua", "address": "198.18.0.11", "mac": "3c:ef:8c:00:00:02",
         "ports": {"37020/udp": 37020}, "expected": {"manufacturer": None}},
    ]  # fmt: skip


def test_each_device_has_its_vendor_mac_and_address(stub_lab: NetnsLab) -> None:
    for device in stub_lab.devices:
        out = subprocess.run(["ip", "-j", "-n", device.namespace, "addr", "show", "dev", "eth0"],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
        (link,) = json.loads(out)
        assert link["address"] == device.mac
        assert [a["local"] for a in link["addr_info"] if a["family"] == "inet"] == [device.address]


def test_multicast_reaches_every_device_and_arp_learns_their_macs(stub_lab: NetnsLab) -> None:
    assert stub_lab.neighbours() == {}
    replies = ask(stub_lab, "239.255.255.250", 37020, b"hello")
    assert sorted(replies) == [("198.18.0.10", b"stub-hik:hello"), ("198.18.0.11", b"stub-dahua:hello")]
    assert stub_lab.neighbours() == {"198.18.0.10": "44:19:b6:00:00:01", "198.18.0.11": "3c:ef:8c:00:00:02"}


def test_scanner_namespace_reaches_only_the_lab(stub_lab: NetnsLab) -> None:
    # Why it is safe: the scanner namespace has no route but the lab subnet and the multicast range,
    # and no interface but lo, the bridge and the bridge's veth ends.
    routes = subprocess.run(["ip", "-j", "-n", stub_lab.scanner_namespace, "route", "show"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert sorted(r["dst"] for r in json.loads(routes)) == ["198.18.0.0/24", "224.0.0.0/4"]
    links = subprocess.run(["ip", "-j", "-n", stub_lab.scanner_namespace, "link", "show"],
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    names = sorted(link["ifname"] for link in json.loads(links))
    assert names == sorted(["lo", stub_lab.bridge, *(d.veth for d in stub_lab.devices)])
    unicast_elsewhere = ask(stub_lab, "198.18.0.99", 37020, b"nobody", wait=0.3)
    assert unicast_elsewhere == []


def test_exec_in_scanner_runs_inside_the_scanner_namespace(stub_lab: NetnsLab) -> None:
    done = stub_lab.exec_in_scanner(["ip", "-j", "addr", "show", "dev", stub_lab.bridge])
    assert done.returncode == 0
    (bridge,) = json.loads(done.stdout)
    assert [a["local"] for a in bridge["addr_info"] if a["family"] == "inet"] == ["198.18.0.1"]


# -- teardown -----------------------------------------------------------------------------------------


def test_teardown_removes_namespaces_links_processes_and_lock() -> None:
    with NetnsLab(STUBS, command=stub_command) as lab:
        lab_id, pids = lab.lab_id, namespace_pids(lab)
        assert len(pids) == 2 and alive(pids) == pids
        assert len(ours(lab_id)) == 4  # 3 namespaces + the lock file (no host links, ever)
    assert ours(lab_id) == []
    assert alive(pids) == []
    lab.stop()  # idempotent


def test_teardown_when_the_body_fails() -> None:
    lab = NetnsLab(STUBS, command=stub_command)
    with pytest.raises(RuntimeError, match="test failed"), lab:
        lab_id, pids = lab.lab_id, namespace_pids(lab)
        raise RuntimeError("test failed")
    assert ours(lab_id) == []
    assert alive(pids) == []


def test_teardown_after_a_failure_mid_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    real_run, seen = netns._run, []

    def fail_on_second_veth(argv: Sequence[str], **kw: float) -> str:
        if "veth" in argv:
            seen.append(list(argv))
            if len(seen) == 2:
                raise LabError("simulated: cannot add veth")
        return real_run(argv, **kw)

    monkeypatch.setattr(netns, "_run", fail_on_second_veth)
    lab = NetnsLab(STUBS, command=stub_command)
    with pytest.raises(LabError, match="simulated"):
        lab.start()
    lab_id = seen[0][seen[0].index("-n") + 1].split("-")[1]
    assert ours(lab_id) == []


@pytest.fixture
def lab_ids(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the labs started during a test (even ones whose start failed)."""
    real_new_lock, ids = netns._new_lock, []

    def recording() -> tuple[str, object]:
        lab_id, lock = real_new_lock()
        ids.append(lab_id)
        return lab_id, lock

    monkeypatch.setattr(netns, "_new_lock", recording)
    return ids


def test_teardown_when_a_device_dies_during_start(lab_ids: list[str]) -> None:
    def dies(device: NetnsDevice, manifest: Path) -> list[str]:
        if device.profile == "stub-dahua":
            return [sys.executable, "-c", "import sys; print('no such profile'); sys.exit(3)"]
        return stub_command(device, manifest)

    with pytest.raises(LabError, match=r"stub-dahua exited during start-up:\nno such profile"):
        NetnsLab(STUBS, command=dies).start()
    assert len(lab_ids) == 1 and ours(lab_ids[0]) == []


def test_a_device_that_never_gets_ready_times_out_and_is_removed(lab_ids: list[str]) -> None:
    def hangs(device: NetnsDevice, manifest: Path) -> list[str]:
        return [sys.executable, "-c", "import time; time.sleep(60)"]

    started = time.monotonic()
    with pytest.raises(LabError, match="not ready after 1 s"):
        NetnsLab(STUBS[:1], command=hangs, ready_timeout=1.0).start()
    assert time.monotonic() - started < 10
    assert len(lab_ids) == 1 and ours(lab_ids[0]) == []


def test_bad_mac_is_refused_before_anything_is_created() -> None:
    with pytest.raises(LabError, match="not a unicast MAC"):
        NetnsLab([Stub("x", "01:00:5e:00:00:01")])
    with pytest.raises(LabError, match="not a unicast MAC"):
        NetnsLab([Stub("x", "zz:zz")])


CRASHING_RUN = textwrap.dedent("""
    import os, signal, sys
    sys.path[:0] = [sys.argv[1]]
    from test_netns import STUBS, stub_command
    from camaudit.lab.netns import NetnsLab
    lab = NetnsLab(STUBS, command=stub_command)
    lab.start()
    print(lab.lab_id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no teardown at all
""")


def test_cleanup_stale_removes_a_crashed_run_and_spares_a_live_one() -> None:
    crashed = subprocess.run([sys.executable, "-c", CRASHING_RUN, str(Path(__file__).parent)],
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    dead_id = crashed.stdout.strip()
    orphans = [
        int(p) for n in range(2) for p in netns._run(["ip", "netns", "pids", f"ca-{dead_id}-{n}"]).split()
    ]
    assert len(alive(orphans)) == 2  # the devices outlived their owner
    with NetnsLab(STUBS[:1], command=stub_command) as live:
        removed = [name for name in netns.cleanup_stale() if dead_id in name]
        assert sorted(removed) == sorted(f"ca-{dead_id}-{n}" for n in ("0", "1", "scan"))
        assert ours(dead_id) == []
        assert alive(orphans) == []
        assert len(ours(live.lab_id)) == 3  # untouched: its owner (this process) holds the lock
        assert ask(live, "239.255.255.250", 37020, b"still?") == [("198.18.0.10", b"stub-hik:still?")]


SERVE = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path[:0] = [sys.argv[1]]
    from test_netns import STUBS, stub_command
    from camaudit.lab import netns
    ready = lambda lab: print(lab.lab_id, *(d.namespace for d in lab.devices), flush=True)
    netns.serve(STUBS, manifest=Path(sys.argv[2]), on_ready=ready, command=stub_command)
    print("stopped", flush=True)
""")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_writes_the_manifest_and_tears_down_on_signal(tmp_path: Path, sig: signal.Signals) -> None:
    manifest = tmp_path / "lab.json"
    argv = [sys.executable, "-c", SERVE, str(Path(__file__).parent), str(manifest)]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        lab_id, *spaces = proc.stdout.readline().split()
        pids = [int(p) for n in spaces for p in netns._run(["ip", "netns", "pids", n]).split()]
        assert [e["mac"] for e in json.loads(manifest.read_text())] == [
            "44:19:b6:00:00:01",
            "3c:ef:8c:00:00:02",
        ]
        assert len(ours(lab_id)) == 4 and len(alive(pids)) == 2
        proc.send_signal(sig)
        assert proc.stdout.read().strip() == "stopped"
        assert proc.wait(timeout=30) == 0
    assert ours(lab_id) == []
    assert alive(pids) == []


def test_serve_stops_with_an_error_when_a_device_dies(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", SERVE, str(Path(__file__).parent), str(tmp_path / "lab.json")]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        lab_id, *spaces = proc.stdout.readline().split()
        (pid,) = netns._run(["ip", "netns", "pids", spaces[1]]).split()
        os.kill(int(pid), signal.SIGKILL)
        assert proc.wait(timeout=30) == 1
        assert "device(s) stopped on their own: stub-dahua" in proc.stderr.read()
    assert ours(lab_id) == []


# -- asyncio ------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_async_context_manager_and_exec() -> None:
    async with NetnsLab(STUBS[:1], command=stub_command) as lab:
        done = await asyncio.to_thread(lab.exec_in_scanner, ["ip", "-o", "link", "show", "dev", lab.bridge])
        assert done.returncode == 0 and lab.bridge in done.stdout.decode()
        lab_id = lab.lab_id
    assert ours(lab_id) == []
    assert os.path.exists(f"/run/netns/ca-{lab_id}-scan") is False


# -- the real lab: `camaudit lab serve --only ID --address ADDR` in every namespace -------------------------


def _profiles(ids: Sequence[str] | None = None) -> tuple[Profile, ...]:
    return load_profiles(ids)


def _declares(profile: Profile, protocol: str) -> bool:
    return any(service.protocol == protocol for service in profile.services)


def _subset() -> tuple[Profile, ...]:
    """Two Hikvision-made, two Dahua-made devices and one of neither family: enough, and quick."""
    everything = _profiles()
    pick = [p for p in everything if p.expected.manufacturer == "hikvision"][:2]
    pick += [p for p in everything if p.expected.manufacturer == "dahua"][:2]
    pick += [p for p in everything if p.expected.manufacturer not in ("hikvision", "dahua")][:1]
    return tuple(pick)


@pytest.fixture(scope="module")
def real_lab() -> Iterator[NetnsLab]:
    with NetnsLab(_subset()) as lab:
        yield lab


def _by_address(lab: NetnsLab) -> dict[str, NetnsDevice]:
    return {device.address: device for device in lab.devices}


def test_sadp_inquiry_to_the_group_is_answered_by_the_hikvision_family(real_lab: NetnsLab) -> None:
    profiles = {p.id: p for p in _profiles([d.profile for d in real_lab.devices])}
    replies = ask(real_lab, sadp.MULTICAST_GROUP, sadp.PORT, sadp.build_inquiry())
    devices = _by_address(real_lab)
    answered = {devices[peer].profile: sadp.parse_reply(data) for peer, data in replies}
    hikvision = {i for i, p in profiles.items() if p.expected.manufacturer == "hikvision"}
    assert len(hikvision) == 2 and set(answered) == hikvision
    assert set(answered) == {i for i, p in profiles.items() if _declares(p, "sadp")}
    for profile_id, reply in answered.items():
        device = next(d for d in real_lab.devices if d.profile == profile_id)
        assert (reply.mac, reply.ipv4) == (device.mac, device.address)
        assert reply.model == profiles[profile_id].expected.model


def test_dhip_search_to_the_group_is_answered_by_the_dahua_family(real_lab: NetnsLab) -> None:
    profiles = {p.id: p for p in _profiles([d.profile for d in real_lab.devices])}
    replies = ask(real_lab, dhip.MULTICAST_GROUP, dhip.PORT, dhip.build_search())
    devices = _by_address(real_lab)
    answered = {
        devices[peer].profile: dhip.observation_fields(dhip.parse_message(data)) for peer, data in replies
    }
    dahua = {i for i, p in profiles.items() if p.expected.manufacturer == "dahua"}
    assert len(dahua) == 2 and set(answered) == dahua
    for profile_id, fields in answered.items():
        device = next(d for d in real_lab.devices if d.profile == profile_id)
        assert fields["dhip.mac"] == device.mac


def test_scanner_learns_every_device_mac_after_contact(real_lab: NetnsLab) -> None:
    ask(real_lab, sadp.MULTICAST_GROUP, sadp.PORT, sadp.build_inquiry(), wait=0.5)
    ask(real_lab, dhip.MULTICAST_GROUP, dhip.PORT, dhip.build_search(), wait=0.5)
    for device in real_lab.devices:  # the rest answer nothing on UDP: contact them by unicast
        ask(real_lab, device.address, 9, b"knock", wait=0.05)
    assert real_lab.neighbours() == {d.address: d.mac for d in real_lab.devices}
    manifest = real_lab.manifest()
    assert [(e["profile"], e["address"], e["mac"]) for e in manifest] == [
        (d.profile, d.address, d.mac) for d in real_lab.devices
    ]
    assert all(e["ports"] and e["expected"] for e in manifest)


def test_every_profile_comes_up_and_only_declared_devices_answer_discovery() -> None:
    profiles = _profiles()
    with NetnsLab(profiles) as lab:
        assert [(e["profile"], e["mac"]) for e in lab.manifest()] == [(p.id, p.mac) for p in profiles]
        devices = _by_address(lab)
        for protocol, codec, probe in (
            ("sadp", sadp, sadp.build_inquiry()),
            ("dhip", dhip, dhip.build_search()),
            ("ssdp", upnp, upnp.build_msearch()),
            ("mdns", mdns, mdns.build_query()),
        ):
            replies = ask(lab, codec.MULTICAST_GROUP, codec.PORT, probe, wait=2.0)
            answered = {devices[peer].profile for peer, _ in replies}
            assert answered == {p.id for p in profiles if _declares(p, protocol)}, protocol
        lab_id = lab.lab_id
    assert ours(lab_id) == []


def test_cli_lab_serve_netns_writes_the_manifest_and_stops_on_sigterm(tmp_path: Path) -> None:
    picked = [p.id for p in _subset()[:2]]
    manifest = tmp_path / "lab.json"
    argv = [sys.executable, "-m", "camaudit", "lab", "serve", "--netns", "--manifest", str(manifest)]
    argv += [arg for profile in picked for arg in ("--profile", profile)]
    env = {**os.environ, "COLUMNS": "200"}
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as proc:
        assert proc.stdout is not None
        printed, found = "", None
        while found is None and (line := proc.stdout.readline()):  # up to the line naming the scanner
            printed += line
            found = re.search(r"in namespace ca-([0-9a-f]{6})-scan", line)
        if found is None:  # the lab died before it was up
            pytest.fail(f"no scanner line: {printed!r} {proc.communicate()[1]!r}")
        assert len(ours(found[1])) == 4  # 3 namespaces + the lock
        entries = json.loads(manifest.read_text())
        assert [(e["profile"], e["address"]) for e in entries] == [
            (picked[0], "198.18.0.10"),
            (picked[1], "198.18.0.11"),
        ]
        assert all(f"{e['profile']} " in printed and e["mac"] in printed for e in entries)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
    assert ours(found[1]) == []
