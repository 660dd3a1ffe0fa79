"""The layer-2 lab: one network namespace per emulated device, all on one bridge.

Discovery on a real LAN rides on multicast (SADP 239.255.255.250:37020, DHIP 239.255.255.251:37810,
WS-Discovery 239.255.255.250:3702), ARP and MAC OUIs, none of which loopback can show. Here every device
gets its own namespace `ca-<id>-<n>` whose `eth0` carries the MAC of its real vendor's IEEE OUI, joined by a
veth pair to the bridge `cab<id>`. The bridge lives in a dedicated scanner namespace `ca-<id>-scan`, so the
host's own interfaces are never involved: traffic can only flow between namespaces this module created.
Addresses come from 198.18.0.0/15, the benchmarking range (RFC 2544 §C.2.2, RFC 6890), which no real
network routes. Every namespace is removed on teardown, and `cleanup_stale` removes what a crashed run left.

A run holds an flock on `/run/camaudit-netns/<id>.lock` for its whole life: the kernel drops the lock when
the owner dies however it dies, which is how `cleanup_stale` tells leftovers from a lab still running.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol, Self

from camaudit.errors import LabError
from camaudit.values import is_multicast_mac, normalise_mac

NETWORK = ipaddress.IPv4Network("198.18.0.0/24")  # inside 198.18.0.0/15 (RFC 2544 benchmarking)
SCANNER_HOST = 1  # the scanner is 198.18.0.1
DEVICE_HOST_BASE = 10  # device n (0-based) is 198.18.0.<n + 10>
MULTICAST_ROUTE = "224.0.0.0/4"  # RFC 5771: send and receive every group on the lab link
LOCK_DIR = Path("/run/camaudit-netns")
READY_TIMEOUT = 60.0  # seconds for every device to write its manifest (2 shared cores, many devices)
_STALE = re.compile(r"^ca-(?P<lab>[0-9a-f]{6})-(?:\d+|scan)$")


class Profile(Protocol):
    """What the namespace lab needs of a lab profile (`camaudit.lab` profiles satisfy it)."""

    @property
    def id(self) -> str: ...

    @property
    def mac(self) -> str: ...


@dataclass(frozen=True, slots=True)
class NetnsDevice:
    """One emulated device of a namespace lab.

    Attributes:
        profile: the lab profile id.
        mac: the MAC of the device's `eth0`, lower-case `aa:bb:cc:dd:ee:ff`.
        namespace: the network namespace the device runs in.
        address: its IPv4 address in the lab network.
        veth: the name of the bridge-side end of its veth pair (in the scanner namespace).
    """

    profile: str
    mac: str
    namespace: str
    address: str
    veth: str


# (device, manifest path to write once listening) -> argv to run inside the device's namespace
DeviceCommand = Callable[[NetnsDevice, Path], Sequence[str]]


def lab_serve_command(device: NetnsDevice, manifest: Path) -> list[str]:
    """The default device process: the loopback lab's one-device mode, bound to the namespace address."""
    return [sys.executable, "-m", "camaudit", "lab", "serve", "--only", device.profile,
            "--address", device.address, "--manifest", str(manifest)]  # fmt: skip


def _run(argv: Sequence[str], *, timeout: float = 15.0) -> str:
    """Run a short command (iproute2) and return stdout; any failure is a LabError naming it."""
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LabError(f"`{' '.join(argv)}` failed: {exc}") from exc
    if done.returncode != 0:
        raise LabError(f"`{' '.join(argv)}` failed: {done.stderr.strip() or f'exit {done.returncode}'}")
    return done.stdout


def check_available() -> None:
    """Raise LabError with the reason when this machine cannot create network namespaces."""
    if shutil.which("ip") is None:
        raise LabError("the namespace lab needs `ip` from iproute2, which is not installed")
    if os.geteuid() != 0:
        raise LabError("the namespace lab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN for `ip netns`)")
    with NetnsLab([]) as lab:  # an empty lab: the scanner namespace and its bridge
        _run(["ip", "-n", lab.scanner_namespace, "link", "show", lab.bridge])


def _take_lock(lab_id: str) -> IO[str] | None:
    """Hold the liveness lock of `lab_id` (see the module docstring), or None when a live run holds it."""
    LOCK_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)
    handle = (LOCK_DIR / f"{lab_id}.lock").open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _new_lock() -> tuple[str, IO[str]]:
    lab_id = secrets.token_hex(3)  # 16M ids; a clash with a live run just fails this start
    try:
        handle = _take_lock(lab_id)
    except OSError as exc:
        raise LabError(f"cannot create the lab lock in {LOCK_DIR}: {exc}") from exc
    if handle is None:
        raise LabError(f"lab id {lab_id} is in use, try again")
    return lab_id, handle


def _release(lab_id: str, handle: IO[str]) -> None:
    with contextlib.suppress(OSError):
        (LOCK_DIR / f"{lab_id}.lock").unlink()
    handle.close()


def _namespaces() -> list[str]:
    return [line.split(" ")[0] for line in _run(["ip", "netns", "list"]).splitlines()]


def _delete_namespace(namespace: str) -> None:
    """Kill what runs in `namespace` (a deleted name would otherwise keep it alive), delete its links
    (a namespace dies asynchronously, its veth ends only with it), then the namespace itself."""
    with contextlib.suppress(LabError):
        for pid in _run(["ip", "netns", "pids", namespace]).split():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid), signal.SIGKILL)
    with contextlib.suppress(LabError, ValueError):
        for link in json.loads(_run(["ip", "-j", "-n", namespace, "link", "show"]) or "[]"):
            if link.get("ifname") != "lo":
                _run(["ip", "-n", namespace, "link", "delete", link["ifname"]])
    with contextlib.suppress(LabError):
        _run(["ip", "netns", "delete", namespace])


def cleanup_stale() -> list[str]:
    """Remove the namespaces (with their processes, bridge and veths) of earlier runs that died; return
    their names. A lab whose owner is alive holds its lock and is left alone, so concurrent runs are safe.
    Bridges and veths exist only inside our namespaces (never in the host's), so they go with them."""
    removed: list[str] = []
    by_lab: dict[str, list[str]] = {}
    for name in _namespaces():
        if found := _STALE.match(name):
            by_lab.setdefault(found["lab"], []).append(name)
    for lab_id, names in sorted(by_lab.items()):
        if (lock := _take_lock(lab_id)) is not None:
            # Device namespaces before the scanner's, which holds the bridge.
            for name in sorted(names, key=lambda n: n.endswith("-scan")):
                _delete_namespace(name)
            removed += names
            _release(lab_id, lock)
    return removed


def unicast_mac(mac: str) -> str:
    """The MAC in its one spelling (`camaudit.values`); LabError unless it can name one device."""
    text = normalise_mac(mac)
    if text is None or is_multicast_mac(text):
        raise LabError(f"not a unicast MAC address: {mac!r}")
    return text


class NetnsLab:
    """A bridge, a scanner namespace and one namespace per profile; a (sync or async) context manager.

    `start()` either brings everything up or removes whatever it created and raises LabError; `stop()`
    removes everything (processes, veths, bridge, namespaces) and may be called any number of times.
    """

    def __init__(
        self,
        profiles: Sequence[Profile],
        *,
        command: DeviceCommand = lab_serve_command,
        ready_timeout: float = READY_TIMEOUT,
    ) -> None:
        if len(profiles) > NETWORK.num_addresses - DEVICE_HOST_BASE - 1:
            raise LabError(f"{len(profiles)} devices do not fit in {NETWORK}")
        self._profiles = [(p.id, unicast_mac(p.mac)) for p in profiles]
        self._command, self._ready_timeout = command, ready_timeout
        self._lock: tuple[str, IO[str]] | None = None  # (lab id, held lock)
        self._workdir: Path | None = None
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._manifest: list[dict[str, Any]] = []
        self._created: list[str] = []  # namespaces, in creation order (the scanner's first)
        self.devices: tuple[NetnsDevice, ...] = ()

    @property
    def lab_id(self) -> str:
        if self._lock is None:
            raise LabError("the namespace lab is not running")
        return self._lock[0]

    @property
    def scanner_namespace(self) -> str:
        return f"ca-{self.lab_id}-scan"

    @property
    def bridge(self) -> str:
        return f"cab{self.lab_id}"

    @property
    def scanner_address(self) -> str:
        return str(NETWORK[SCANNER_HOST])

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> None:
        if self._lock is not None:
            raise LabError("the namespace lab is already running")
        if shutil.which("ip") is None or os.geteuid() != 0:
            raise LabError("the namespace lab needs root and `ip` from iproute2")
        self._lock = _new_lock()
        try:
            self._workdir = Path(tempfile.mkdtemp(prefix=f"camaudit-netns-{self.lab_id}-"))
            self.devices = tuple(self._plan())
            self._build_scanner()
            for device in self.devices:
                self._build_device(device)
            self._spawn_all()
            self._wait_ready()
        except BaseException as exc:
            try:
                self.stop()
            except LabError as cleanup:
                exc.add_note(f"teardown after the failed start also failed: {cleanup}")
            raise

    def stop(self) -> None:
        if self._lock is None:
            return
        self._stop_processes()
        for namespace in reversed(self._created):  # devices first, the scanner's (with the bridge) last
            _delete_namespace(namespace)
        self._created = sorted(set(self._created) & set(_namespaces()))
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
        if self._created:
            raise LabError(f"could not remove namespaces {self._created}; `cleanup_stale()` will retry")
        _release(*self._lock)
        self._lock, self._workdir, self._manifest, self.devices = None, None, [], ()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    def _plan(self) -> Iterator[NetnsDevice]:
        for n, (profile, mac) in enumerate(self._profiles):
            address = str(NETWORK[DEVICE_HOST_BASE + n])
            yield NetnsDevice(profile, mac, f"ca-{self.lab_id}-{n}", address, f"cav{self.lab_id}-{n}")

    def _add_namespace(self, namespace: str) -> None:
        _run(["ip", "netns", "add", namespace])
        self._created.append(namespace)
        _run(["ip", "-n", namespace, "link", "set", "lo", "up"])

    def _build_scanner(self) -> None:
        ns, br, prefix = self.scanner_namespace, self.bridge, NETWORK.prefixlen
        self._add_namespace(ns)
        # Snooping off: with no IGMP querier on the link every group is flooded to every port, like a
        # plain switch; STP off and no forwarding delay, so ports forward as soon as they are up.
        _run(["ip", "-n", ns, "link", "add", br, "type", "bridge", "mcast_snooping", "0",
              "stp_state", "0", "forward_delay", "0"])  # fmt: skip
        _run(["ip", "-n", ns, "addr", "add", f"{self.scanner_address}/{prefix}", "dev", br])
        _run(["ip", "-n", ns, "link", "set", br, "up"])
        _run(["ip", "-n", ns, "route", "add", MULTICAST_ROUTE, "dev", br])

    def _build_device(self, device: NetnsDevice) -> None:
        ns, scanner = device.namespace, self.scanner_namespace
        self._add_namespace(ns)
        _run(["ip", "-n", scanner, "link", "add", device.veth, "type", "veth",
              "peer", "name", "eth0", "address", device.mac, "netns", ns])  # fmt: skip
        _run(["ip", "-n", scanner, "link", "set", device.veth, "master", self.bridge, "up"])
        _run(["ip", "-n", ns, "addr", "add", f"{device.address}/{NETWORK.prefixlen}", "dev", "eth0"])
        _run(["ip", "-n", ns, "link", "set", "eth0", "up"])
        _run(["ip", "-n", ns, "route", "add", MULTICAST_ROUTE, "dev", "eth0"])

    # -- device processes ------------------------------------------------------------------------------

    def _paths(self, device: NetnsDevice) -> tuple[Path, Path]:
        base = Path(self._workdir or ".") / device.namespace
        return base.with_suffix(".manifest.json"), base.with_suffix(".log")

    def _spawn_all(self) -> None:
        for device in self.devices:
            manifest, log = self._paths(device)
            argv = ["ip", "netns", "exec", device.namespace, *self._command(device, manifest)]
            with log.open("wb") as out:  # a session of its own: teardown signals the whole group
                proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True)  # fmt: skip
            self._procs[device.namespace] = proc

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self._ready_timeout
        pending = list(self.devices)
        while pending:
            pending = [d for d in pending if not self._ready(d)]
            if pending and time.monotonic() > deadline:
                raise LabError(
                    f"devices not ready after {self._ready_timeout:.0f} s: {[d.profile for d in pending]}"
                )
            time.sleep(0.05 if pending else 0)

    def _ready(self, device: NetnsDevice) -> bool:
        manifest, log = self._paths(device)
        if self._procs[device.namespace].poll() is not None:
            tail = log.read_bytes()[-2000:].decode("utf-8", "replace")
            raise LabError(f"device {device.profile} exited during start-up:\n{tail}")
        try:
            entries = json.loads(manifest.read_text())
        except (OSError, ValueError):
            return False  # not written yet, or half written
        entry = {"profile": device.profile, "address": device.address, "mac": device.mac}
        self._manifest.append(entry | _manifest_entry(entries, device.profile))
        return True

    def _stop_processes(self) -> None:
        for proc in self._procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5.0
        for proc in self._procs.values():
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self._procs = {}

    # -- using the lab ---------------------------------------------------------------------------------

    def scanner_argv(self, argv: Sequence[str]) -> list[str]:
        """`argv` prefixed so that it runs inside the scanner namespace."""
        return ["ip", "netns", "exec", self.scanner_namespace, *argv]

    def exec_in_scanner(
        self, argv: Sequence[str], *, timeout: float = 60.0, input: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """Run `argv` in the scanner namespace and return its result (stdout and stderr captured)."""
        return subprocess.run(
            self.scanner_argv(argv), input=input, capture_output=True, timeout=timeout, check=False
        )

    def neighbours(self) -> dict[str, str]:
        """The scanner's ARP table on the bridge: address -> MAC (entries that have a MAC)."""
        argv = ["ip", "-4", "-j", "-n", self.scanner_namespace, "neigh", "show", "dev", self.bridge]
        table = json.loads(_run(argv) or "[]")
        return {e["dst"]: e["lladdr"].lower() for e in table if "lladdr" in e}

    def manifest(self) -> list[dict[str, Any]]:
        """JSON-ready, in the loopback lab's shape: profile, address, mac, ports, expected."""
        return sorted((dict(e) for e in self._manifest), key=lambda e: ipaddress.IPv4Address(e["address"]))


def _manifest_entry(entries: Any, profile: str) -> dict[str, Any]:
    """The entry for `profile` in the one-device manifest the device wrote."""
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("profile") == profile:
            return {"ports": entry.get("ports", {}), "expected": entry.get("expected", {})}
    raise LabError(f"device {profile} wrote a manifest without an entry for itself")


def serve(
    profiles: Sequence[Profile],
    *,
    manifest: Path | None,
    on_ready: Callable[[NetnsLab], None],
    command: DeviceCommand = lab_serve_command,
) -> None:
    """Foreground `camaudit lab serve --netns`: bring the lab up, write the manifest, call `on_ready`,
    run until SIGINT/SIGTERM (or a device dies: LabError), and tear everything down in every case."""
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with NetnsLab(profiles, command=command) as lab:
            if manifest is not None:
                manifest.write_text(json.dumps(lab.manifest(), indent=2) + "\n")
            on_ready(lab)
            while not stop.wait(0.5):
                if stopped := [d.profile for d in lab.devices if lab._procs[d.namespace].poll() is not None]:
                    raise LabError(f"device(s) stopped on their own: {', '.join(stopped)}")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
