"""Write the seed corpus: one well-formed input or a few per target, so that fuzzing starts past the magic.

`python fuzz/seeds.py [CORPUS_DIR]` (default fuzz/corpus) writes `seed-*` files beside what atheris kept.
Seeds come from our own encoders (what the lab sends), from the published replies in tests/corpus, and
from the formats' documented shapes; they are small on purpose (the whole corpus stays a few hundred KB).
"""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import hashlib
import io
import json
import socket
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import defusedxml.ElementTree as DET
import dpkt
import zstandard
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from camaudit.protocols import dhip, dvrip, mdns, onvif, rtsp, sadp, wsdiscovery

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from targets import DAHUA_CGI_NAMES, IMPORT_JSON, IMPORT_LINES, IMPORT_XML, ISAPI_DOCUMENTS
from tests.sources.imports import test_masscan  # masscan -oL / -oX lines as masscan's README defines them

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = ROOT / "tests" / "data" / "imports"  # the real published samples the import tests read
MAX_SEED = 4096  # a seed longer than this is cut: the fuzzer grows inputs itself
PER_KIND = 6  # published replies taken per evidence kind

HIK_SADP = {
    "DeviceType": "139",
    "DeviceDescription": "DS-2CD2043G2-I",
    "DeviceSN": "DS-2CD2043G2-I20200101AAWRE12345678",
    "MAC": "c0-56-e3-11-22-33",
    "IPv4Address": "192.0.2.20",
    "SoftwareVersion": "V5.5.0build 170725",
    "HCPlatformEnable": "true",
    "Activated": "true",
}


def _corpus_raw(kinds: set[str]) -> Iterator[bytes]:
    """The `raw` of published evidence items of these kinds (tests/corpus/cases)."""
    taken: dict[str, int] = {}
    for path in sorted((ROOT / "tests" / "corpus" / "cases").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            for item in json.loads(line)["evidence"]:
                kind = item["kind"]
                if kind in kinds and "raw" in item and taken.get(kind, 0) < PER_KIND:
                    taken[kind] = taken.get(kind, 0) + 1
                    yield item["raw"].encode("utf-8")


def _corpus_lines(count: int) -> bytes:
    lines: list[str] = []
    for path in sorted((ROOT / "tests" / "corpus" / "cases").glob("*.jsonl")):
        lines.extend(line for line in path.read_text(encoding="utf-8").splitlines()[:1] if line.strip())
    return "\n".join(lines[:count]).encode()


def _certificate() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Hikvision"),
            x509.NameAttribute(NameOID.COMMON_NAME, "192.0.2.20"),
        ]
    )
    when = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x1234)
        .not_valid_before(when)
        .not_valid_after(when + dt.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("camera.local")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.DER)


def _pcap(nano: bool = False) -> bytes:
    frames: list[bytes] = []

    def eth(src: str, dst: str, proto: int, body: dpkt.Packet, sport: int, dport: int) -> bytes:
        l4: dpkt.Packet
        if proto == dpkt.ip.IP_PROTO_UDP:
            l4 = dpkt.udp.UDP(sport=sport, dport=dport, data=bytes(body))
            l4.ulen = len(bytes(l4))
        else:
            l4 = dpkt.tcp.TCP(sport=sport, dport=dport, flags=dpkt.tcp.TH_ACK | dpkt.tcp.TH_PUSH, data=body)
        ip = dpkt.ip.IP(src=socket.inet_aton(src), dst=socket.inet_aton(dst), p=proto, data=l4)
        ip.len = len(bytes(ip))
        mac = b"\xc0\x56\xe3\x11\x22\x33"
        return bytes(
            dpkt.ethernet.Ethernet(src=mac, dst=b"\x02" * 6, type=dpkt.ethernet.ETH_TYPE_IP, data=ip)
        )

    dns = dpkt.dns.DNS(id=7, qr=dpkt.dns.DNS_R, opcode=dpkt.dns.DNS_QUERY)
    dns.qd = [dpkt.dns.DNS.Q(name="litedev.ezvizlife.com", type=dpkt.dns.DNS_A, cls=dpkt.dns.DNS_IN)]
    dns.an = [
        dpkt.dns.DNS.RR(
            name="litedev.ezvizlife.com",
            type=dpkt.dns.DNS_A,
            cls=dpkt.dns.DNS_IN,
            ttl=60,
            rdata=b"\xcb\x00\x71\x0a",
        )
    ]
    frames.append(eth("192.0.2.1", "192.0.2.20", dpkt.ip.IP_PROTO_UDP, dns, 53, 40000))
    frames.append(
        eth("192.0.2.20", "203.0.113.10", dpkt.ip.IP_PROTO_TCP, b"GET / HTTP/1.1\r\n\r\n", 40001, 80)
    )
    frames.append(
        eth(
            "192.0.2.20",
            "239.255.255.250",
            dpkt.ip.IP_PROTO_UDP,
            sadp.build_reply(HIK_SADP, "7E2AD8A0-1234-4C4C-9E2B-0123456789AB"),
            37020,
            37020,
        )
    )
    buf = io.BytesIO()
    writer = dpkt.pcap.Writer(buf, nano=nano)
    for i, frame in enumerate(frames):
        writer.writepkt(frame, ts=1_700_000_000 + i)
    return buf.getvalue()


def _pcapng() -> bytes:
    buf = io.BytesIO()
    writer = dpkt.pcapng.Writer(buf)
    reader = dpkt.pcap.Reader(io.BytesIO(_pcap()))
    for ts, frame in reader:
        writer.writepkt(frame, ts=ts)
    return buf.getvalue()


ZEEK_CONN = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\t"
    "resp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\t"
    "resp_pkts\tresp_ip_bytes\ttunnel_parents\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\t"
    "count\tstring\tcount\tcount\tcount\tcount\tset[string]\n"
    "1700000000.000000\tC1\t192.0.2.20\t40000\t203.0.113.10\t443\ttcp\tssl\t1.5\t100\t200\tSF\tT\tF\t0\tShADadFf"
    "\t5\t300\t4\t400\t(empty)\n#close\t2023-11-14-22-13-20\n"
)
ZEEK_DNS_JSON = json.dumps(
    {
        "ts": 1700000000.0,
        "uid": "C2",
        "id.orig_h": "192.0.2.20",
        "id.orig_p": 5353,
        "id.resp_h": "192.0.2.1",
        "id.resp_p": 53,
        "proto": "udp",
        "query": "litedev.ezvizlife.com",
        "answers": ["203.0.113.10"],
    }
)
NFDUMP = (
    "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\n"
    "2023-11-14 22:13:20,2023-11-14 22:13:25,5.000,192.0.2.30,198.51.100.80,40200,8800,UDP,......,0,0,"
    "10,1000,5,400\nSummary\nflows,bytes,packets\n1,1400,15\n"
)
IPFIX = (
    "sourceIPv4Address,destinationIPv4Address,sourceTransportPort,destinationTransportPort,"
    "protocolIdentifier,packetDeltaCount,octetDeltaCount,flowStartMilliseconds,flowEndMilliseconds\n"
    "192.0.2.30,198.51.100.80,40200,8800,17,10,1000,1700000000000,1700000005000\n"
)
CONFIG = """\
[organisation]
name = "Example Council"
sector = "central_government"
jurisdictions = ["US-LA", "UK"]
purposes = ["government_facility_security"]

[networks]
internal = ["10.0.0.0/8"]
core = ["10.1.0.0/16"]

[egress]
allowed_countries = ["US", "GB"]

[packs]
enabled = ["US-NDAA-889", "KEV-PATCHING"]

[[sites]]
name = "HQ"
networks = ["10.1.0.0/16"]
"""
CREDENTIALS = """\
[[credentials]]
target = "brand:hikvision"
username = "auditor"
password = "not-a-secret-either"

[[credentials]]
target = "192.0.2.0/24"
username = "net24"
password = "not-a-secret"
"""
REGISTER_CSV = (
    "id,key,ip,mac,serial,brand,manufacturer,model,site,owner,notes\n"
    "1,mac:c0:56:e3:11:22:33,192.0.2.20,c0:56:e3:11:22:33,DS1234,hikvision,hikvision,DS-2CD2043G2-I,"
    'HQ,facilities,"front door, ""north"""\n'
    ",,192.0.2.30,,,,,,Depot,,\n"
)


def _sample(name: str) -> bytes:
    data = (IMPORTS / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def _shrunk_json(value: object, items: int, chars: int) -> object:
    """The same shape with lists cut to `items` entries and strings to `chars` characters."""
    if isinstance(value, dict):
        return {k: _shrunk_json(v, items, chars) for k, v in value.items()}
    if isinstance(value, list):
        return [_shrunk_json(v, items, chars) for v in value[:items]]
    return value[:chars] if isinstance(value, str) else value


def _json_excerpt(value: object, indent: int | None = None) -> bytes:
    """A real JSON record cut down (fewer list entries, shorter strings) until it fits a seed; on one
    line (a JSON-lines record) unless `indent` (a pretty-printed document)."""
    for items, chars in ((4, 400), (3, 200), (2, 120), (1, 80), (1, 40), (1, 16)):
        data = json.dumps(_shrunk_json(value, items, chars), indent=indent).encode()
        if len(data) <= MAX_SEED:
            return data
    return data


def _shrunk_xml(elem: ET.Element, items: int, chars: int) -> None:
    if elem.text:
        elem.text = elem.text[:chars]
    for key, value in elem.attrib.items():
        elem.attrib[key] = value[:chars]
    for extra in list(elem)[items:]:
        elem.remove(extra)
    for kid in elem:
        _shrunk_xml(kid, items, chars)


def _xml_excerpt(data: bytes) -> bytes:
    """A real XML file cut down (first children of each element, shorter text) until it fits a seed."""
    for items, chars in ((6, 300), (4, 200), (3, 120), (2, 80), (2, 40), (1, 40)):
        root = DET.fromstring(data)
        _shrunk_xml(root, items, chars)
        out = b'<?xml version="1.0"?>\n' + ET.tostring(root)
        if len(out) <= MAX_SEED:
            return out
    return out


def _nessus_excerpt(data: bytes) -> bytes:
    """The sample's first ReportHost: its host tags and a few TCP findings (plugin output shortened),
    without the scan policy, so that the seed holds a record the reader turns into observations."""
    root = DET.fromstring(data)
    for policy in root.findall("Policy"):
        root.remove(policy)
    report = root.find("Report")
    assert report is not None
    hosts = report.findall("ReportHost")
    for extra in hosts[1:]:
        report.remove(extra)
    host = hosts[0]
    for item in host.findall("ReportItem"):
        if item.get("protocol") != "tcp" or item.get("port") in (None, "0"):
            host.remove(item)
            continue
        for part in list(item):
            if part.tag != "plugin_output":
                item.remove(part)
            elif part.text:
                part.text = part.text[:200]
    for items in (6, 4, 3, 2, 1):
        for extra in host.findall("ReportItem")[items:]:
            host.remove(extra)
        out = b'<?xml version="1.0"?>\n' + ET.tostring(root)
        if len(out) <= MAX_SEED:
            break
    return out


def _import_seeds() -> dict[str, list[bytes]]:
    """Per import family, each seed behind the selector byte of its reader; and whole files (some
    compressed, one cut short, one that inflates past the fuzz budget) for the content detector."""
    shodan_view = json.loads(_sample("shodan_host_140.82.121.4.json"))
    censys_view = json.loads(_sample("censys_v2_140.82.121.4.json"))
    shodan_lines = b"".join(_json_excerpt(b) + b"\n" for b in shodan_view["data"][:2])
    if len(shodan_lines) > MAX_SEED:
        shodan_lines = _json_excerpt(shodan_view["data"][0]) + b"\n"
    zgrab_https = [json.loads(line) for line in _sample("zgrab2_https.json").splitlines() if line.strip()]
    nmap = [_xml_excerpt(_sample("nmap_dionaea.xml")), _xml_excerpt(_sample("nmap_banner_scripts.xml"))]
    nessus = _nessus_excerpt(_sample("nessus_many_vuln.xml.gz"))
    zmap_csv = _sample("zmap_output.csv")
    zmap_list = b"\n".join(line.split(b",")[0] for line in zmap_csv.splitlines()[1:]) + b"\n"
    runzero = _sample("runzero_assets.jsonl")
    if len(runzero) > MAX_SEED:
        runzero = _json_excerpt(json.loads(runzero)) + b"\n"
    xml = [_pick(IMPORT_XML, "nmap_xml") + d for d in [*nmap, test_masscan.XML]]
    xml.append(_pick(IMPORT_XML, "nessus") + nessus)
    jsons = [
        _pick(IMPORT_JSON, "shodan") + _json_excerpt(shodan_view, indent=1),
        _pick(IMPORT_JSON, "shodan") + shodan_lines,
        _pick(IMPORT_JSON, "censys") + _json_excerpt(censys_view, indent=1),
        _pick(IMPORT_JSON, "censys") + _json_excerpt({"result": censys_view}) + b"\n",  # the API envelope
        _pick(IMPORT_JSON, "runzero") + runzero,
        _pick(IMPORT_JSON, "zgrab2") + _sample("zgrab2_http.json"),
        *(_pick(IMPORT_JSON, "zgrab2") + _json_excerpt(v) + b"\n" for v in zgrab_https[:1]),
        _pick(IMPORT_JSON, "masscan_json") + _sample("masscan_many.json"),
    ]
    lines = [
        _pick(IMPORT_LINES, "masscan_list") + test_masscan.LIST,
        _pick(IMPORT_LINES, "zmap_csv") + zmap_csv,
        _pick(IMPORT_LINES, "zmap_csv") + zmap_list,
    ]
    bomb = b'{"ip_str": "192.0.2.20", "_shodan": {}, "data": "' + b" " * (2 << 20) + b'"}\n'
    files = [
        nmap[0],
        test_masscan.XML,
        nessus,
        shodan_lines,
        _sample("masscan_many.json"),
        test_masscan.LIST,
        zmap_csv,
        runzero,
        _sample("zgrab2_http.json"),
        gzip.compress(shodan_lines, mtime=0),
        gzip.compress(nmap[1], mtime=0)[:-40],  # a download cut short
        bz2.compress(nessus),
        zstandard.ZstdCompressor().compress(zmap_csv),
        gzip.compress(bomb, mtime=0),  # inflates past the fuzz budget (1 MiB): cut with a warning
    ]
    return {"import_xml": xml, "import_json": jsons, "import_lines": lines, "import_file": files}


DATE_LINE = "Date: Tue, 09 Dec 2025 10:00:00 GMT"


def _census_seeds() -> list[bytes]:
    """Shodan banner lines: the real sample's, and published HTTP and RTSP replies (tests/corpus) as
    the `data` of a banner, one a line, with the Date line the cache key blanks."""
    shodan_view = json.loads(_sample("shodan_host_140.82.121.4.json"))
    out = [_json_excerpt(banner) + b"\n" for banner in shodan_view["data"][:2]]
    for number, raw in enumerate([*_corpus_raw({"http"}), *_corpus_raw({"rtsp"})]):
        banner = {
            "ip_str": f"192.0.2.{number + 1}",
            "port": 554 if raw.startswith(b"RTSP/") else 80,
            "transport": "tcp",
            "timestamp": "2025-12-09T10:00:00.000000",
            "location": {"country_code": "GB"},
            "org": "Example",
            "data": raw.decode("utf-8", "replace").replace("\r\n", f"\r\n{DATE_LINE}\r\n", 1),
        }
        out.append(json.dumps(banner).encode() + b"\n")
    return out


def _pick(names: list[str], name: str) -> bytes:
    """The selector byte of `fuzz/targets.py` that picks `name`."""
    return bytes([names.index(name)])


def seeds() -> dict[str, list[bytes]]:
    http = list(_corpus_raw({"http"}))
    return {
        "sadp": [
            sadp.build_reply(HIK_SADP, "7E2AD8A0-1234-4C4C-9E2B-0123456789AB"),
            sadp.build_inquiry("7e2ad8a0-0000-4c4c-9e2b-0123456789ab"),
        ],
        "dhip": [
            dhip.build_device_info_reply(
                "3c:ef:8c:44:55:66",
                {
                    "DeviceClass": "IPC",
                    "DeviceType": "IPC-HDW5231R-ZE",
                    "SerialNo": "4M05C2APAJ12345",
                    "Vendor": "Private",
                    "Version": "2.800.0000000.5.R",
                    "IPv4Address": {"IPAddress": "192.0.2.30"},
                },
            ),
            dhip.build_search(),
            *(
                dhip.build_message(json.loads(raw))
                for raw in _corpus_raw({"dhip_json"})
                if raw.startswith(b"{")
            ),
        ],
        "dvrip": [dvrip.build_realm_reply("ABCDEF0123456789", "1234567890")],
        "dvrip_legacy": [
            dvrip.build_legacy_reply(
                device_type="IPC",
                mac="00:12:31:aa:bb:cc",
                ipv4="192.0.2.40",
                version="4.2.3.0",
                serial="XM1234",
                web_port=80,
                tcp_port=34567,
            )
        ],
        "wsdiscovery": [
            wsdiscovery.build_probe_matches(
                relates_to="uuid:1",
                endpoint="urn:uuid:2",
                types="dn:NetworkVideoTransmitter",
                scopes=[
                    "onvif://www.onvif.org/hardware/DS-2CD2043G2-I",
                    "onvif://www.onvif.org/name/HIKVISION",
                ],
                xaddrs=["http://192.0.2.20/onvif/device_service"],
            ),
            *_corpus_raw({"wsd"}),
        ],
        "onvif": [
            onvif.build_device_information_response(
                manufacturer="HIKVISION",
                model="DS-2CD2043G2-I",
                firmware_version="V5.5.0 build 170725",
                serial_number="DS1234",
                hardware_id="88",
            ),
            onvif.build_system_date_and_time_response(dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
            onvif.build_fault(),
            *_corpus_raw({"onvif_device_info"}),
        ],
        "rtsp": [
            rtsp.build_response(
                200, "OK", 1, headers=[("Public", "OPTIONS, DESCRIBE"), ("Server", "Rtsp Server/3.0")]
            ),
            *_corpus_raw({"rtsp"}),
        ],
        "sdp": [
            b"v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=Media Presentation\r\ne=NONE\r\nt=0 0\r\n"
            b"m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n"
        ],
        "http": [
            *http,
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        ],
        "tls": [_certificate()],
        "isapi": [_pick(ISAPI_DOCUMENTS, "DeviceInfo") + raw for raw in _corpus_raw({"isapi_xml"})],
        "dahua_cgi": [_pick(DAHUA_CGI_NAMES, "getSystemInfo") + raw for raw in _corpus_raw({"dahua_cgi"})]
        + [_pick(DAHUA_CGI_NAMES, "getSoftwareVersion") + b"version=2.800.0000000.5.R,build:2020-01-01\r\n"],
        "mdns": [
            mdns.build_response(
                mdns.parse_message(mdns.build_query()),
                mdns.ServiceInstance("_http._tcp.local", "Camera", "cam.local", 80, (("model", "X1"),)),
                "192.0.2.20",
            ),
            mdns.build_query(),
        ],
        "ssdp": list(_corpus_raw({"ssdp"})),
        "upnp_description": list(_corpus_raw({"upnp_xml"})),
        "pcap": [_pcap(), _pcap(nano=True), _pcapng()],
        "zeek": [ZEEK_CONN.encode(), ZEEK_DNS_JSON.encode() + b"\n"],
        "netflow_csv": [NFDUMP.encode(), IPFIX.encode()],
        "camaudit_toml": [CONFIG.encode()],
        "credentials_toml": [CREDENTIALS.encode()],
        "register_csv": [REGISTER_CSV.encode()],
        "evidence_jsonl": [_corpus_lines(4), http[0] if http else b"HTTP/1.1 200 OK\r\n\r\n"],
        **_import_seeds(),
        "census_shodan": _census_seeds(),
    }


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "fuzz" / "corpus"
    for target, items in seeds().items():
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        for item in items:
            data = item[:MAX_SEED]
            (folder / f"seed-{hashlib.sha1(data).hexdigest()[:16]}").write_bytes(data)  # noqa: S324


if __name__ == "__main__":
    main()
