"""How audit-v2.sqlite was made (kept for the record; the .sqlite file itself is never regenerated).

It is a register at schema 0002 written through the public `Register` API of the code as it stood before
schema 0003 (commit 65893fe), when sightings and findings held the presentation shape of a device:
evidence with ``observation_kind`` instead of ``kind``, its ``ip`` dropped and its confidence rounded.
It holds an active audit (two devices, one with evidence, conflicts, an inferred firmware and findings of
several kinds), a passive traffic audit with an egress finding, observations, a failed attempt and
people's fields. Run once with `python tests/store/data/make_audit_v2.py OUT.sqlite`.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime

from camaudit.model import (
    Audit,
    Device,
    Evidence,
    Finding,
    FindingKind,
    Observation,
    ProbeAttempt,
    ProbeStatus,
    Severity,
    Transport,
)
from camaudit.store import Register

T1 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
SCAN, TRAFFIC = "c" * 32, "d" * 32

BANNER = Evidence(
    kind="http.response",
    field="http.server",
    value="App-webs/",
    rule_id="http-server-app-webs",
    source="probe:http",
    ip="127.2.0.1",
    port=80,
    claims={"manufacturer": "hikvision"},
    confidence=0.654321,
)
SADP = Evidence(
    kind="sadp.reply",
    field="sadp.SoftwareVersion",
    value="V5.5.82build 190909",
    rule_id="sadp-software-version",
    source="probe:sadp",
    ip="127.2.0.1",
    port=37020,
    claims={"firmware": "V5.5.82 build 190909", "model": "DS-2CD2042WD-I"},
    confidence=0.95,
)
CVE = Finding(
    check_id="cve-2017-7921",
    kind=FindingKind.VULNERABILITY,
    severity=Severity.CRITICAL,
    title="CVE-2017-7921: improper authentication",
    evidence=(SADP,),
    remediation="Update the firmware.",
    references=("https://nvd.nist.gov/vuln/detail/CVE-2017-7921",),
    verified=True,
    details={"cisa_kev": "true", "cvss": "10"},
)
EXPOSURE = Finding(
    check_id="exposure-telnet-open",
    kind=FindingKind.EXPOSURE,
    severity=Severity.MEDIUM,
    title="Telnet open",
    evidence=(Evidence("tcp.open", "tcp.port", "23", source="probe:tcp", ip="127.2.0.1", port=23),),
)
HIK = Device(
    ips=("127.2.0.1",),
    mac="c0:56:e3:00:00:01",
    ports=(23, 80, 554),
    brand="hikvision",
    manufacturer="hikvision",
    model="DS-2CD2042WD-I",
    firmware="V5.5.82 build 190909",
    serial="DS-2CD2042WD-I20190101AAWR000000001",
    device_type="ip_camera",
    confidence=0.987654321,
    evidence=(BANNER, SADP),
    findings=(CVE, EXPOSURE),
)
GUESS = Device(
    ips=("127.2.0.2", "127.2.0.12"),
    ports=(80,),
    manufacturer="dahua",
    firmware="build 2019-05-01",
    confidence=0.3333333,
    evidence=(
        Evidence(
            kind="http.response",
            field="http.last_modified",
            value="Wed, 01 May 2019 10:00:00 GMT",
            source="probe:http",
            ip="127.2.0.2",
            port=80,
            claims={"firmware": "build 2019-05-01"},
            confidence=0.3,
            inferred=True,
        ),
    ),
    conflicts=("manufacturer: dahua (0.33) vs uniview (0.30)",),
    firmware_inferred=True,
)
EGRESS = Finding(
    check_id="egress-vendor-cloud",
    kind=FindingKind.EGRESS,
    severity=Severity.LOW,
    title="Talks to the vendor cloud",
    evidence=(
        Evidence(
            "traffic.flow",
            "egress.destination",
            "203.0.113.9 tcp/443",
            source="pcap",
            ip="127.2.0.1",
            port=443,
            claims={"bytes_up": "1200"},
            confidence=0.9,
            inferred=True,
        ),
    ),
    status="observed",
)


def _observation(ip: str, when: datetime) -> Observation:
    return Observation(
        source="probe:http",
        ip=ip,
        port=80,
        transport=Transport.TCP,
        protocol="http",
        kind="http.response",
        fields={"http.server": "App-webs/", "http.title": "<script>alert(1)</script>"},
        raw=b"HTTP/1.1 200 OK\r\nServer: App-webs/\r\n\r\n\x00\xff",
        mac="c0:56:e3:00:00:01" if ip == "127.2.0.1" else None,
        time=when,
    )


def main(out: str) -> None:
    failed = ProbeAttempt(
        "rtsp", "127.2.0.2", 554, Transport.TCP, ProbeStatus.TIMEOUT, "no reply", 0, 1500.5, T1
    )
    with Register(out) as register:
        scope = ("127.2.0.1", "127.2.0.2")
        register.begin_audit(Audit(SCAN, T1, scope, {"rate": 200.0, "targets": ["127.2.0.0/30"]}, "0.1.0"))
        register.record_host(SCAN, "127.2.0.1", [_observation("127.2.0.1", T1)], [], [HIK])
        register.record_host(SCAN, "127.2.0.2", [_observation("127.2.0.2", T1)], [failed], [GUESS])
        register.finish_audit(SCAN, [HIK, GUESS], T1.replace(minute=5))
        device = register.ensure_device(HIK.key)
        register.annotate(device, site="HQ", owner="facilities", status="to_replace", due=date(2027, 6, 30))
        options = {"kind": "traffic", "internal": [], "upload_threshold": 104857600}
        register.begin_audit(Audit(TRAFFIC, T2, ("capture.pcap",), options, "0.1.0"))
        seen = Device(ips=("127.2.0.1",), mac=HIK.mac, manufacturer="hikvision", findings=(EGRESS,))
        register.record_host(TRAFFIC, "127.2.0.1", [_observation("127.2.0.1", T2)], [])
        register.finish_audit(TRAFFIC, [seen], T2.replace(minute=1))


if __name__ == "__main__":
    main(sys.argv[1])
