"""What `make fuzz` feeds: every codec and file reader, each with the one error type it may raise.

A target takes bytes. Anything it raises other than its documented error (ProtocolError for codecs,
InputError for files a person hands us) is a crash, and atheris stops on it with the input saved.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from camaudit.assess.credentials import parse_credentials
from camaudit.census import classify as census_classify
from camaudit.census import fast as census_fast
from camaudit.census.classify import Classifier
from camaudit.config import parse_config
from camaudit.errors import BadImportFile, InputError, ProtocolError
from camaudit.protocols import (
    dahua_cgi,
    dhip,
    dvrip,
    http,
    isapi,
    mdns,
    onvif,
    rtsp,
    sadp,
    tls,
    upnp,
    wsdiscovery,
)
from camaudit.report.spreadsheet import read_rows
from camaudit.sources import evidence
from camaudit.sources import imports as scan_imports
from camaudit.sources.passive.files import read_traffic
from camaudit.sources.passive.inflate import Inflate

Target = Callable[[bytes], object]
# The file readers take paths: each input is written to a scratch file, in memory where there is a tmpfs.
_SCRATCH_DIR = os.environ.get("FUZZ_SCRATCH") or (
    "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()  # noqa: S108 (a per-process name)
)
_SCRATCH = Path(_SCRATCH_DIR) / f"camaudit-fuzz-{os.getpid()}"


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _file(suffix: str) -> Target:
    """A passive reader: the bytes become a file (the readers take paths)."""

    def run(data: bytes) -> object:
        path = _SCRATCH.with_suffix(suffix)
        path.write_bytes(data)
        return read_traffic([path])

    return run


def _evidence(data: bytes) -> object:
    return list(evidence.read(io.StringIO(_text(data))))


def _rows(data: bytes) -> object:
    return list(read_rows(data))


def _selected(parsers: list[str], parse: Callable[[bytes, str], object]) -> Target:
    """A codec with one parser per document: the first byte picks the document, the rest is its body."""

    def run(data: bytes) -> object:
        if not data:
            return None
        return parse(data[1:], parsers[data[0] % len(parsers)])

    return run


def _readers(names: list[str]) -> Target:
    """Import readers of one family (shared streaming code): the first byte picks the format, the rest
    is the decompressed file as its reader sees it; every record and problem is taken."""

    def run(data: bytes) -> object:
        if not data:
            return None
        chosen = scan_imports.BY_NAME[names[data[0] % len(names)]]
        return list(chosen.read(io.BytesIO(data[1:])))

    return run


# Small enough for a fuzzer's input to reach: a 64 KB input that inflates past 1 MiB, or 64 times its
# size once 64 KiB have come out, is cut (the real defaults are 4 GiB and 200 times after 4 MiB).
IMPORT_BUDGET = Inflate(max_bytes=1 << 20, max_ratio=64, grace=64 << 10)


def _import_file(data: bytes) -> object:
    """`camaudit import` on one file: compression by magic, inflation budget, format by content."""
    path = _SCRATCH.with_suffix(".import")
    path.write_bytes(data)
    scan_imports.detect(data[: scan_imports.SNIFF])
    return list(scan_imports.read_file(path, IMPORT_BUDGET))


class Diverged(AssertionError):
    """The census's cached fast path counted a line otherwise than the import reader does."""


# A file the census sends down its fast path starts with a banner line (`census.shard`): so does each input.
_FIRST_BANNER = (
    b'{"ip_str": "192.0.2.1", "port": 80, "transport": "tcp", "data": "HTTP/1.0 200 OK\\r\\n\\r\\n"}\n'
)


def _census_lines(data: bytes) -> object:
    """Differential: a Shodan banner file through the census's fast path twice, the second time from
    its verdict cache, and through the Shodan import reader as `camaudit import` and the census's other
    shards read it (`imports.guarded`) and identification; all three must agree,
    and each record's cached verdict must be what identification makes of it afresh. A wrong cache key
    (two contents sharing one verdict) shows as a divergence, not as a crash."""
    classifier = Classifier(30, offline_geo=False)
    census_fast._SEEN.clear()
    path = census_fast.FastShodan(classifier)
    stream = _FIRST_BANNER + b"\n".join(data.split(b"\n")[:8])
    first = _outcome(path.read(io.BytesIO(stream)), classifier)
    again = _outcome(path.read(io.BytesIO(stream)), classifier)
    read = list(scan_imports.guarded(scan_imports.BY_NAME["shodan"].read(io.BytesIO(stream))))
    slow = _outcome(read, classifier)
    if not first == again == slow:
        raise Diverged(f"{stream[:400]!r}: fast {first}, cached {again}, reader {slow}")
    for record in read:  # the verdict cache both paths share (kept across inputs) against no cache
        if isinstance(record, scan_imports.Record):
            fresh = census_classify.judge(tuple(record.observations))
            if census_classify.verdict_of(record.observations) != fresh:
                raise Diverged(f"{stream[:400]!r}: cached verdict is not {fresh}")
    return None


def _outcome(items: Iterable[object], classifier: Classifier) -> list[object]:
    """Counted records as they are, problems by where and why."""
    out: list[object] = []
    for item in items:
        if isinstance(item, scan_imports.ImportProblem):
            out.append((item.where, item.reason))
        elif isinstance(item, scan_imports.Record):
            out.append(classifier.counted(item))
        else:
            out.append(item)
    return out


IMPORT_XML = ["nmap_xml", "nessus"]  # masscan -oX is read by nmap_xml's reader
IMPORT_JSON = ["shodan", "censys", "runzero", "zgrab2", "masscan_json"]
IMPORT_LINES = ["masscan_list", "zmap_csv"]
ISAPI_DOCUMENTS = sorted(isapi.PARSERS)
DAHUA_CGI_NAMES = sorted(dahua_cgi.PARSERS)


TARGETS: dict[str, tuple[Target, tuple[type[BaseException], ...]]] = {
    "sadp": (sadp.parse_reply, (ProtocolError,)),
    "dhip": (dhip.parse_message, (ProtocolError,)),
    "dvrip": (dvrip.parse_reply, (ProtocolError,)),
    "dvrip_legacy": (dvrip.parse_legacy_reply, (ProtocolError,)),
    "wsdiscovery": (wsdiscovery.parse_probe_matches, (ProtocolError,)),
    "onvif": (onvif.parse_response, (ProtocolError,)),
    "rtsp": (rtsp.parse_response, (ProtocolError,)),
    "sdp": (rtsp.parse_sdp, (ProtocolError,)),
    "http": (http.parse_response, (ProtocolError,)),
    "tls": (tls.certificate_fields, (ProtocolError,)),
    "isapi": (_selected(ISAPI_DOCUMENTS, isapi.parse), (ProtocolError,)),
    "dahua_cgi": (_selected(DAHUA_CGI_NAMES, dahua_cgi.parse), (ProtocolError,)),
    "mdns": (mdns.parse_response, (ProtocolError,)),
    "ssdp": (upnp.parse_reply, (ProtocolError,)),
    "upnp_description": (upnp.parse_description, (ProtocolError,)),
    "pcap": (_file(".pcap"), (InputError,)),
    "zeek": (_file(".log"), (InputError,)),
    "netflow_csv": (_file(".csv"), (InputError,)),
    "camaudit_toml": (lambda d: parse_config(_text(d), "camaudit.toml"), (InputError,)),
    "credentials_toml": (lambda d: parse_credentials(_text(d), "creds.toml", {}), (InputError,)),
    "register_csv": (_rows, (InputError,)),
    "evidence_jsonl": (_evidence, (InputError,)),
    # Scan-file imports (camaudit.sources.imports): BadImportFile is their one documented error; a
    # record they cannot read must come out as an ImportProblem, never as an exception.
    "import_xml": (_readers(IMPORT_XML), (BadImportFile,)),
    "import_json": (_readers(IMPORT_JSON), (BadImportFile,)),
    "import_lines": (_readers(IMPORT_LINES), (BadImportFile,)),
    "import_file": (_import_file, (BadImportFile,)),
    # The census reads the same hostile lines as the Shodan import, through its own cached fast path.
    "census_shodan": (_census_lines, ()),
}
