"""`camaudit import` of a generated nmap XML: peak memory and wall time, at two sizes (constant memory?).

The file imitates `nmap -sV -sC` output of a camera estate: every host up with its MAC, an HTTP port
with `http-server-header` and `http-title`, an RTSP port with `rtsp-methods`, nmap's service claims,
in the proportions below (Hikvision, Dahua, Axis, other web servers). The import runs in a child process
(`python -m camaudit import FILE --db …`) so its peak resident memory is measured alone (getrusage of
the children); the register is a fresh SQLite file.

    python bench/import_nmap.py [--hosts 100000] [--small 10000]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# (Server header, title, nmap product, nmap device type): what nmap prints for these devices' web servers
KINDS = (
    ("App-webs/", "", "Hikvision IP camera httpd", "webcam"),
    ("DNVRS-Webs", "", "Hikvision Network Video Recorder http admin", "webcam"),
    ("", "WEB SERVICE", "Dahua webcam httpd", "webcam"),
    ("Boa/0.94.14rc21", "AXIS", "", ""),
    ("nginx/1.24.0", "Welcome to nginx!", "nginx", ""),
)
HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n'
    '<nmaprun scanner="nmap" args="nmap -sV -sC -oX bench.xml 10.0.0.0/8" '
    'start="1700000000" version="7.93">\n'
)


def host(n: int) -> str:
    server, title, product, devicetype = KINDS[n % len(KINDS)]
    ip = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    mac = f"44:19:b6:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}"
    scripts = ""
    if server:
        scripts += f'<script id="http-server-header" output="{server}"><elem>{server}</elem></script>'
    if title:
        scripts += f'<script id="http-title" output="{title}"><elem key="title">{title}</elem></script>'
    service = (
        f'<service name="http" product="{product}" devicetype="{devicetype}" method="probed" conf="10"/>'
    )
    return (
        f'<host starttime="1700000000" endtime="1700000001"><status state="up" reason="arp-response"/>\n'
        f'<address addr="{ip}" addrtype="ipv4"/>'
        f'<address addr="{mac}" addrtype="mac" vendor="Hangzhou Hikvision"/>\n'
        f"<hostnames></hostnames><ports>\n"
        f'<port protocol="tcp" portid="80"><state state="open" reason="syn-ack"/>{service}{scripts}</port>\n'
        f'<port protocol="tcp" portid="554"><state state="open" reason="syn-ack"/>'
        f'<service name="rtsp" method="probed" conf="10"/><script id="rtsp-methods" '
        f'output="OPTIONS, DESCRIBE, PLAY, PAUSE, SETUP, TEARDOWN, SET_PARAMETER, GET_PARAMETER"/></port>\n'
        f"</ports></host>\n"
    )


def generate(path: Path, hosts: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for n in range(1, hosts + 1):
            out.write(host(n))
        out.write('<runstats><finished time="1700000100" exit="success"/></runstats>\n</nmaprun>\n')


def run(path: Path, directory: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB of the import alone, its summary line)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "camaudit", "import", str(path), "--db", str(directory / f"{path.stem}.db")],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:
        print("note: peak RSS of a later child is only visible when it exceeds an earlier one's")
    summary = next((line for line in done.stderr.splitlines() if "record(s) read" in line), "")
    return wall, peak / 1024, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="camaudit-bench-") as tmp:
        directory = Path(tmp)
        rows = []
        for hosts in (args.small, args.hosts):  # small first: getrusage keeps the children's maximum
            path = directory / f"nmap-{hosts}.xml"
            generate(path, hosts)
            size = path.stat().st_size / 2**20
            wall, peak, summary = run(path, directory)
            rows.append((hosts, size, wall, peak, summary))
    print(f"{'hosts':>8} {'file MiB':>9} {'wall s':>8} {'hosts/s':>8} {'peak RSS MiB':>13}  summary")
    for hosts, size, wall, peak, summary in rows:
        print(f"{hosts:>8} {size:>9.1f} {wall:>8.1f} {hosts / wall:>8.0f} {peak:>13.0f}  {summary}")
    small, large = rows
    print(f"memory {large[0] // small[0]}x the hosts: peak RSS x{large[3] / small[3]:.2f}")


if __name__ == "__main__":
    main()
