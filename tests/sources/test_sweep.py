"""The unicast discovery sweep against the lab: one shared reply window per block of hosts."""

from __future__ import annotations

import asyncio
import time

from camaudit.lab.runner import Lab
from camaudit.net.connector import Connector
from camaudit.net.limits import Limits
from camaudit.scope import Scope
from camaudit.sources import sweep


def test_sweep_finds_the_discovery_speakers_in_one_window(lab: Lab) -> None:
    manifest = lab.manifest()
    ips = [e["address"] for e in manifest]
    conn = Connector(Limits(rate=2000, udp_wait=1.0), scope=Scope(addresses=tuple(ips)))
    start = time.monotonic()
    found = asyncio.run(sweep.sweep(ips, conn))
    elapsed = time.monotonic() - start
    assert elapsed < 3.0  # 24 hosts x 6 protocols, but one reply window per protocol, in parallel
    kinds = {ip: {o.kind for o in r.observations} for ip, r in found.items()}
    profile = {e["address"]: e["profile"] for e in manifest}
    speakers = {profile[ip]: k for ip, k in kinds.items()}
    assert "sadp.reply" in speakers["hikvision-ipc"] and "dhip.reply" in speakers["dahua-ipc"]
    assert {"ssdp.reply", "mdns.answer"} <= speakers["axis-camera"] and "mdns.answer" in speakers[
        "hikvision-ipc"
    ]
    assert "plain-webserver" not in speakers  # silence is not an answer and not a failure
    bad = next(r for ip, r in found.items() if profile[ip] == "hostile-bad-xml")
    assert {a.status.value for a in bad.attempts} & {"malformed"}
