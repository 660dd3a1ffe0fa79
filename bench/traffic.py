"""camaudit traffic vs `tshark -T fields` on the same generated >= 1 GB pcap, in one run.

The capture is written to a temporary directory (deleted afterwards): mostly bulk video-upload
packets (1,400-byte TCP segments from 40 cameras to a few "cloud" addresses), plus the interesting
flows (SADP/DHIP announcements, DNS answers for litedev.ezvizlife.com and www.easy4ipcloud.com,
EZVIZ tcp/8666, Dahua DHGET on UDP 8800 and the PTCP tunnel) and 20,000 short DNS flows from a PC.
Addresses are private or from the documentation / benchmark ranges; nothing is sent anywhere.

Each tool runs as its own process; wall time and peak RSS (wait4 rusage) are printed side by side
with ratios, and camaudit's peak RSS is also measured on a quarter-size file to show memory is flat.

    python bench/traffic.py [--size-gb 1.0] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.sources.passive import capture as cap

TSHARK_FIELDS = (
    "frame.time_epoch",
    "eth.src",
    "ip.src",
    "ip.dst",
    "ipv6.src",
    "ipv6.dst",
    "ip.len",
    "ipv6.plen",
    "ip.proto",
    "tcp.srcport",
    "tcp.dstport",
    "udp.srcport",
    "udp.dstport",
    "dns.qry.name",
    "dns.a",
    "tls.handshake.extensions_server_name",
    "http.host",
)
CLOUDS = ("198.18.10.1", "198.18.10.2", "203.0.113.50", "198.51.100.60")


def _record(ts: float, frame: bytes) -> bytes:
    sec = int(ts)
    return struct.pack("<IIII", sec, int((ts - sec) * 1_000_000), len(frame), len(frame)) + frame


def _bulk_frames() -> list[bytearray]:
    """One 1,400-byte upload segment per camera (40 cameras), pre-built: the file repeats them."""
    frames = []
    for i in range(40):
        ip = f"192.168.10.{20 + i}"
        mac = f"c0:56:e3:00:00:{i:02x}" if i % 2 else f"3c:ef:8c:00:00:{i:02x}"
        port = 443 if i % 2 else 8800
        frames.append(
            bytearray(cap.tcp(ip, CLOUDS[i % len(CLOUDS)], 40000 + i, port, b"\xa5" * 1400, mac=mac))
        )
    return frames


def write_capture(path: Path, size: int) -> int:
    """Write a classic pcap of at least `size` bytes; returns the packet count."""
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    interesting = [_record(ts, f) for ts, f in cap.estate()]
    dns = [
        _record(
            cap.T0 + i * 0.01,
            cap.udp(
                cap.RESOLVER,
                cap.PC,
                53,
                20000 + i % 40000,
                cap.dns_answer(f"host{i}.example.org", ["192.0.2.7"]),
            ),
        )
        for i in range(20_000)
    ]
    bulk = _bulk_frames()
    count, written, ts = 0, len(header), cap.T0 + 10
    with path.open("wb") as out:
        out.write(header)
        for rec in [*interesting, *dns]:
            out.write(rec)
            written += len(rec)
            count += 1
        chunk: list[bytes] = []
        seqs = [1] * len(bulk)
        while written < size:
            for i, frame in enumerate(bulk):
                ts += 0.0001
                struct.pack_into("!I", frame, 38, seqs[i])  # TCP sequence number (14 + 20 + 4)
                seqs[i] = (seqs[i] + 1400) & 0xFFFFFFFF  # a real stream: tshark sees no retransmissions
                rec = _record(ts, bytes(frame))
                chunk.append(rec)
                written += len(rec)
                count += 1
            if len(chunk) > 4000:
                out.write(b"".join(chunk))
                chunk.clear()
        out.write(b"".join(chunk))
    return count


def measure(cmd: list[str], stdout: int | None = subprocess.DEVNULL) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in KiB, exit code) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss, proc.returncode


def camaudit_cmd(path: Path, json_out: Path) -> list[str]:
    return [sys.executable, "-m", "camaudit", "traffic", str(path), "--json", str(json_out), "--all-devices"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gb", type=float, default=1.0)
    args = parser.parse_args()
    tshark = shutil.which("tshark")
    with tempfile.TemporaryDirectory(prefix="camaudit-bench-") as tmp:
        big, small, report = Path(tmp) / "big.pcap", Path(tmp) / "quarter.pcap", Path(tmp) / "out.json"
        t0 = time.perf_counter()
        packets = write_capture(big, int(args.size_gb * 1e9))
        write_capture(small, int(args.size_gb * 1e9 / 4))
        took = time.perf_counter() - t0
        print(f"generated {big.stat().st_size / 1e9:.2f} GB, {packets} packets in {took:.1f} s")
        q_wall, q_rss, _ = measure(camaudit_cmd(small, report))
        c_wall, c_rss, c_rc = measure(camaudit_cmd(big, report))
        data = json.loads(report.read_text())
        read = data["counts"]["records_read"]
        devices = len(data["devices"])
        print(
            f"camaudit: {c_wall:7.2f} s  peak RSS {c_rss / 1024:7.1f} MiB  exit {c_rc}  "
            f"{read} packets ({read / c_wall:,.0f}/s), {devices} devices"
        )
        print(
            f"camaudit, quarter-size file: {q_wall:7.2f} s  peak RSS {q_rss / 1024:7.1f} MiB (flat if ~equal)"
        )
        if read != packets:
            print(f"MISMATCH: camaudit read {read} of {packets} packets")
            return 1
        if tshark is None:
            print("tshark not installed (make bench-deps): no comparison")
            return 0
        fields = [a for f in TSHARK_FIELDS for a in ("-e", f)]
        # Default tshark, then tshark without TCP sequence analysis and reassembly (its cheapest honest mode).
        lean = ["-o", "tcp.analyze_sequence_numbers:FALSE", "-o", "tcp.desegment_tcp_streams:FALSE"]
        for label, extra in (("tshark", []), ("tshark (no TCP analysis)", lean)):
            t_wall, t_rss, t_rc = measure([tshark, "-n", *extra, "-r", str(big), "-T", "fields", *fields])
            rate = packets / t_wall
            print(f"{label}: {t_wall:7.2f} s  peak RSS {t_rss / 1024:7.1f} MiB  exit {t_rc}  ({rate:,.0f}/s)")
            ratio_rss = t_rss / max(c_rss, 1)
            print(f"  ratio {label}/camaudit: wall {t_wall / c_wall:.2f}x, peak RSS {ratio_rss:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
