"""Which reader a file needs, decided from its content (never its name), and the one entry point."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from camaudit.errors import BadImportFile
from camaudit.sources.passive.flows import looks_like_flows, read_flows
from camaudit.sources.passive.inflate import Inflate
from camaudit.sources.passive.pcap import capture_kind, read_capture
from camaudit.sources.passive.summary import Locality, Traffic, TrafficSummary
from camaudit.sources.passive.textlog import first_line
from camaudit.sources.passive.zeek import looks_like_zeek, read_zeek


def kind_of(path: Path) -> str:
    """``pcap``, ``zeek`` or ``flow``; BadImportFile naming the file when it is none of them."""
    try:
        capture_kind(path)
    except BadImportFile:
        pass
    else:
        return "pcap"
    line = first_line(path)
    if looks_like_zeek(line):
        return "zeek"
    if looks_like_flows(line):
        return "flow"
    raise BadImportFile(f"{path}: byte 0: not a pcap/pcapng capture, a Zeek log or a flow CSV with a header")


def read_traffic(
    paths: Iterable[Path], locality: Locality | None = None, inflate: Inflate | None = None
) -> tuple[Traffic, dict[str, str]]:
    """Read every file into one aggregate (compressed ones within `inflate`); returns it and each kind."""
    summary = TrafficSummary(locality, inflate)
    kinds: dict[str, str] = {}
    readers = {"pcap": read_capture, "zeek": read_zeek, "flow": read_flows}
    for path in paths:
        if not path.is_file():
            raise BadImportFile(f"{path}: not a readable file")
        kinds[str(path)] = kind = kind_of(path)
        readers[kind](path, summary)
    return summary.finish(), kinds
