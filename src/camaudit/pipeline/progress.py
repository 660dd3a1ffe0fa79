"""Where a running scan is: the live counters a progress line reads (the engine only writes them).

Phases follow a host's path, but hosts overlap: while the sweep still knocks on the last addresses, the
first hosts are already probed and assessed. `phase` names the earliest stage still running:

    discovery   multicast inquiries to the local segment (when on)
    sweep       TCP connects and unicast discovery to every address in scope
    probing     service probes of the hosts that answered
    assessing   checks on identified devices (per host as each completes, then fused devices)
    recording   the final devices written to the register
    done / stopped
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from camaudit.sources.active import Tally

SWEEP_SHARE = 0.8  # of the estimated work: the sweep dominates a scan of mostly empty addresses


@dataclass(slots=True)
class ScanProgress:
    """Live state of one scan.

    Attributes:
        tally: the active scan's counters (hosts, sweep, answering, probing, done).
        stage: what the engine is doing: starting, discovery, hosts, assessing, recording, done, stopped.
        identified: devices named so far (a maker or a type).
        findings: findings so far.
        assessing: devices being assessed now.
        resumed_hosts: hosts an earlier run of the same audit already recorded.
        started: monotonic start time.
        rate: reads the current global rate (new connections per second).
        audit_id: the audit being recorded (set before the first probe; None when not recorded).
    """

    tally: Tally = field(default_factory=Tally)
    stage: str = "starting"
    identified: int = 0
    findings: int = 0
    assessing: int = 0
    resumed_hosts: int = 0
    started: float = field(default_factory=time.monotonic)
    rate: Callable[[], float] = field(default=lambda: 0.0)
    audit_id: str | None = None

    @property
    def phase(self) -> str:
        if self.stage != "hosts":
            return self.stage
        t = self.tally
        if t.reach_done < t.reach_planned:
            return "sweep"
        return "probing" if t.hosts_done < t.hosts else "assessing"

    @property
    def fraction(self) -> float:
        """Share of the work done, 0..1 (the sweep's share is known; the rest is by hosts finished)."""
        if self.stage in ("recording", "done", "stopped"):
            return 1.0
        t = self.tally
        sweep = t.reach_done / t.reach_planned if t.reach_planned else 0.0
        hosts = t.hosts_done / t.hosts if t.hosts else 0.0
        return min(1.0, SWEEP_SHARE * sweep + (1 - SWEEP_SHARE) * hosts)

    def eta(self, now: float | None = None) -> float | None:
        """Seconds left, estimated from the pace so far; None until there is a pace to go by."""
        done = self.fraction
        elapsed = (now if now is not None else time.monotonic()) - self.started
        if done <= 0.02 or elapsed < 1.0:
            return None
        return max(0.0, elapsed * (1 - done) / done)
