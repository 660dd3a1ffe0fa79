"""Evidence people paste or publish, read offline into the Observations a probe would have made.

`camaudit identify` and the real-world corpus speak JSON lines, one device per line::

    {"ip": "…", "evidence": [{"kind": "http", "port": 80, "path": "/", "raw": "HTTP/1.1 401 …"}, …]}

Each evidence kind (table in tests/corpus/README.md) is turned into fields by the same codecs the
probes, the pcap reader and the lab use, so one set of rules judges all of them. Where a source
published only part of a reply (a header, a title, a parsed table), only that part becomes a field:
nothing is filled in. A single raw reply (HTTP, RTSP, SSDP, an XML or DHIP JSON body, a banner) pasted
on its own is also accepted. Nothing here opens a socket.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from camaudit.errors import InputError, ProtocolError
from camaudit.model import Observation, Transport
from camaudit.protocols import dhip, http, mdns, onvif, rtsp, sadp, tls, upnp, wsdiscovery
from camaudit.values import normalise_oui

MAX_LINE = 1_000_000  # characters of one input line (a device's evidence)
MAX_ITEMS = 64  # evidence items per device
MAX_TEXT = 256 * 1024  # characters of one raw reply
SOURCE = "evidence"
_BLANK_LINE = re.compile(r"\r?\n\r?\n")
_PLACEHOLDER_IP = "line-{n}"

Item = Mapping[str, Any]
Fields = dict[str, str]


@dataclass(frozen=True, slots=True)
class Line:
    """One input line: its device's observations, or why the line was refused."""

    number: int
    label: str
    observations: tuple[Observation, ...] = ()
    error: str | None = None
    data: Mapping[str, Any] | None = None


# --------------------------------------------------------------------------- helpers


def _text(item: Item, key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise InputError(f"{item.get('kind')}: {key!r} must be text")
    if len(value) > MAX_TEXT:
        raise InputError(f"{item.get('kind')}: {key!r} longer than {MAX_TEXT} characters")
    return value


def _bytes(item: Item, key: str) -> bytes:
    return _text(item, key).encode("utf-8", "surrogateescape")


def _headers(item: Item) -> list[tuple[str, str]]:
    headers = item.get("headers", {})
    if not isinstance(headers, Mapping) or len(headers) > 256:
        raise InputError(f"{item.get('kind')}: 'headers' must be an object of at most 256 names")
    return [(str(k), str(v)) for k, v in headers.items()]


def normalise_head(raw: str) -> bytes:
    """A pasted reply with CRLF line ends in its head (pastes lose the CR); the body is kept as is."""
    parts = _BLANK_LINE.split(raw.lstrip("\r\n"), maxsplit=1)
    head = "\r\n".join(line.rstrip("\r") for line in parts[0].split("\n"))
    body = parts[1] if len(parts) > 1 else ""
    return f"{head}\r\n\r\n{body}".encode("utf-8", "surrogateescape")


def _observation(
    kind: str, protocol: str, fields: Fields, ip: str, item: Item, raw: bytes = b""
) -> Observation:
    port = item.get("port")
    return Observation(
        source=SOURCE,
        ip=ip,
        port=port if isinstance(port, int) else None,
        transport=Transport.NONE,
        protocol=protocol,
        kind=kind,
        fields=fields,
        raw=raw,
    )


# --------------------------------------------------------------------------- kinds


def _http_fields(item: Item) -> tuple[Fields, bytes]:
    path = str(item.get("path") or "/")
    if "raw" in item:
        raw = normalise_head(_text(item, "raw"))
        return http.observation_fields(http.parse_response(raw), path=path), raw
    body = _bytes(item, "body") if "body" in item else b""
    status = item.get("status")
    resp = http.HttpResponse(int(status or 0), "", "HTTP/1.1", tuple(_headers(item)), body, True)
    fields = http.observation_fields(resp, path=path)
    if status is None:
        for key in ("http.status", "http.path_status"):
            fields.pop(key)
    if "body" not in item:
        for key in ("http.body", "http.body.sha256", "http.body.length"):
            fields.pop(key)
    if "title" in item:
        fields["http.title"] = _text(item, "title")
    if not _headers(item):
        fields.pop("http.header_names")
    return fields, b""


def http_item(item: Item, ip: str) -> list[Observation]:
    fields, raw = _http_fields(item)
    return [_observation("http.response", "http", fields, ip, item, raw)]


def rtsp_item(item: Item, ip: str) -> list[Observation]:
    if "raw" in item:
        raw = normalise_head(_text(item, "raw"))
        fields = rtsp.observation_fields(rtsp.parse_response(raw), method="(published)")
        return [_observation("rtsp.response", "rtsp", fields, ip, item, raw)]
    fields = {}
    for name, value in _headers(item):
        fields.setdefault(f"rtsp.header.{name.lower()}", value)
    if "www-authenticate" in {n.lower() for n, _ in _headers(item)}:
        challenge = fields["rtsp.header.www-authenticate"]
        fields["rtsp.www_authenticate"] = challenge
        realm = re.search(r'realm="([^"]*)"', challenge)
        if realm:
            fields["rtsp.www_authenticate.realm"] = realm.group(1)
    if "public" in {n.lower() for n, _ in _headers(item)}:
        fields["rtsp.public"] = fields["rtsp.header.public"]
    if "sdp" in item:
        fields.update({f"rtsp.sdp.{k}": v for k, v in rtsp.parse_sdp(_bytes(item, "sdp")).items()})
    return [_observation("rtsp.response", "rtsp", fields, ip, item)]


def mac_item(item: Item, ip: str) -> list[Observation]:
    """A full MAC, or only its first three bytes (sources often publish just the OUI)."""
    mac = _text(item, "mac")
    prefix = normalise_oui(mac)
    fields = {"mac.oui": prefix} if prefix else {"mac.address": mac}
    return [_observation("neighbour", "arp", fields, ip, item)]


def dhcp_item(item: Item, ip: str) -> list[Observation]:
    keys = (("vendor_class", "dhcp.vendor_class"), ("hostname", "dhcp.hostname"), ("params", "dhcp.params"))
    fields = {name: _text(item, key) for key, name in keys if key in item}
    if "dhcp.params" in fields:  # "1, 3, 6" as people write it: rules read the wire's "1,3,6"
        fields["dhcp.params"] = ",".join(p.strip() for p in fields["dhcp.params"].split(",") if p.strip())
    return [_observation("dhcp.request", "dhcp", fields, ip, item)]


def sadp_item(item: Item, ip: str) -> list[Observation]:
    raw = _bytes(item, "raw")
    fields = sadp.observation_fields(sadp.parse_reply(raw))
    return [_observation("sadp.reply", "sadp", fields, ip, item, raw)]


def dhip_item(item: Item, ip: str) -> list[Observation]:
    raw = _bytes(item, "raw")
    if raw[4:8] == dhip.MAGIC:
        msg = dhip.parse_message(raw)
    else:  # the JSON body alone, as most sources publish it
        msg = dhip.parse_message(dhip.build_message(_json_object(raw)))
    return [_observation("dhip.reply", "dhip", dhip.observation_fields(msg), ip, item, raw)]


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"not JSON: {exc}"[:120]) from None
    if not isinstance(value, dict):
        raise ProtocolError("not a JSON object")
    if "params" not in value and "deviceInfo" in value:
        value = {"params": value}  # {"deviceInfo": {…}} without the envelope
    elif "params" not in value:
        value = {"params": {"deviceInfo": value}}  # the deviceInfo object alone
    return value


_ONVIF_KEYS = (
    ("manufacturer", "onvif.Manufacturer"),
    ("model", "onvif.Model"),
    ("firmware", "onvif.FirmwareVersion"),
    ("serial", "onvif.SerialNumber"),
    ("hardware_id", "onvif.HardwareId"),
)


def onvif_item(item: Item, ip: str) -> list[Observation]:
    if "raw" in item:
        raw = _bytes(item, "raw")
        fields = onvif.observation_fields(onvif.parse_response(raw))
        return [_observation("onvif.device_information", "onvif", fields, ip, item, raw)]
    fields = {name: _text(item, key) for key, name in _ONVIF_KEYS if key in item}
    return [_observation("onvif.device_information", "onvif", fields, ip, item)]


def wsd_item(item: Item, ip: str) -> list[Observation]:
    if "raw" in item:
        raw = _bytes(item, "raw")
        matches = wsdiscovery.parse_probe_matches(raw)
        fields = wsdiscovery.observation_fields(matches[0])
        return [_observation("wsdiscovery.match", "wsdiscovery", fields, ip, item, raw)]
    scopes = _text(item, "scopes").split()
    match = wsdiscovery.ProbeMatch(
        endpoint="", types=str(item.get("types", "")), scopes=tuple(scopes), xaddrs=(), metadata_version=None
    )
    fields = wsdiscovery.observation_fields(match)
    for key in ("wsd.endpoint", "wsd.xaddrs") + (() if "types" in item else ("wsd.types",)):
        fields.pop(key, None)
    return [_observation("wsdiscovery.match", "wsdiscovery", fields, ip, item)]


def tls_item(item: Item, ip: str) -> list[Observation]:
    if "pem" in item:
        fields = tls.certificate_fields(_pem_der(_text(item, "pem")))
    else:
        fields = {f"tls.{key}": _text(item, key) for key in ("subject", "issuer") if key in item}
        fields.update(_name_parts(fields))
    return [_observation("tls.certificate", "tls", fields, ip, item)]


def _pem_der(pem: str) -> bytes:
    body = re.sub(r"-----[A-Z ]+-----", "", pem)
    try:
        return base64.b64decode("".join(body.split()), validate=True)
    except ValueError:
        raise ProtocolError("not a PEM certificate") from None


_RDN = re.compile(r"(?:^|,)\s*(CN|O)\s*=\s*((?:\\.|[^,])*)", re.IGNORECASE)


def _name_parts(fields: Fields) -> Fields:
    """``tls.subject.cn`` … from a published RFC 4514 string (as the codec gives from DER)."""
    out: Fields = {}
    for prefix in ("tls.subject", "tls.issuer"):
        for key, value in _RDN.findall(fields.get(prefix, "")):
            out.setdefault(f"{prefix}.{key.lower()}", value.replace("\\", "").strip())
    return out


def upnp_item(item: Item, ip: str) -> list[Observation]:
    raw = _bytes(item, "raw")
    fields = upnp.description_fields(upnp.parse_description(raw))
    return [_observation("upnp.description", "upnp", fields, ip, item, raw)]


def ssdp_item(item: Item, ip: str) -> list[Observation]:
    if "raw" in item:
        raw = normalise_head(_text(item, "raw"))
        fields = upnp.reply_fields(upnp.parse_reply(raw))
    else:
        reply = upnp.SsdpReply("HTTP/1.1 200 OK", {k.lower(): v for k, v in _headers(item)})
        fields, raw = upnp.reply_fields(reply), b""
    return [_observation("ssdp.reply", "ssdp", fields, ip, item, raw)]


def mdns_item(item: Item, ip: str) -> list[Observation]:
    services = item.get("services", [])
    txt = item.get("txt", {})
    if not isinstance(services, list) or not isinstance(txt, Mapping):
        raise InputError("mdns: 'services' must be a list and 'txt' an object")
    answer = mdns.MdnsAnswer(
        services=tuple(str(s) for s in services if not _is_instance(str(s))),
        instances=tuple(str(s) for s in services if _is_instance(str(s))),
        hostnames=(str(item["hostname"]),) if "hostname" in item else (),
        txt={str(k).lower(): str(v) for k, v in txt.items() if not str(k).startswith("_")},
    )
    return [_observation("mdns.answer", "mdns", mdns.observation_fields(answer), ip, item)]


def _is_instance(name: str) -> bool:
    """An instance name has a label before the service type (``Name._http._tcp.local``)."""
    return not name.startswith("_") and "._" in name


def banner_item(item: Item, ip: str) -> list[Observation]:
    raw = bytes.fromhex(_text(item, "hex")) if "hex" in item else _bytes(item, "text")
    text = "".join(c if c.isprintable() or c in "\r\n\t" else " " for c in raw.decode("latin-1"))
    fields = {"tcp.banner": text.strip()}
    if "service" in item:
        fields["tcp.service"] = _text(item, "service")
    return [_observation("tcp.banner", "tcp", fields, ip, item, raw)]


def favicon_item(item: Item, ip: str) -> list[Observation]:
    fields = {f"http.favicon.{key}": str(item[key]) for key in ("md5", "mmh3") if key in item}
    return [_observation("http.favicon", "http", {"http.path": "/favicon.ico", **fields}, ip, item)]


def snmp_item(item: Item, ip: str) -> list[Observation]:
    fields = {f"snmp.{key}": _text(item, key) for key in ("sysdescr", "sysobjectid") if key in item}
    return [_observation("snmp.system", "snmp", fields, ip, item)]


def _body_reply(default_path: str) -> Callable[[Item, str], list[Observation]]:
    """A reply body published alone (ISAPI XML, Dahua CGI lines): a 200 to its path."""

    def read(item: Item, ip: str) -> list[Observation]:
        body = _bytes(item, "raw")
        path = str(item.get("path") or default_path)
        resp = http.HttpResponse(200, "OK", "HTTP/1.1", (), body, False)
        fields = http.observation_fields(resp, path=path)
        fields.pop("http.header_names")
        return [_observation("http.response", "http", fields, ip, item, body)]

    return read


KINDS: dict[str, Callable[[Item, str], list[Observation]]] = {
    "http": http_item,
    "rtsp": rtsp_item,
    "mac": mac_item,
    "dhcp": dhcp_item,
    "sadp_xml": sadp_item,
    "dhip_json": dhip_item,
    "onvif_device_info": onvif_item,
    "wsd": wsd_item,
    "tls_cert": tls_item,
    "upnp_xml": upnp_item,
    "ssdp": ssdp_item,
    "mdns": mdns_item,
    "banner": banner_item,
    "favicon": favicon_item,
    "snmp": snmp_item,
    "isapi_xml": _body_reply("/ISAPI/System/deviceInfo"),
    "dahua_cgi": _body_reply("/cgi-bin/magicBox.cgi?action=getSystemInfo"),
}


# --------------------------------------------------------------------------- lines


def observations(data: Mapping[str, Any], ip: str) -> list[Observation]:
    """Every observation of one device line. Raises InputError / ProtocolError for bad evidence."""
    items = data.get("evidence")
    if not isinstance(items, list) or not items:
        raise InputError("'evidence' must be a non-empty list")
    if len(items) > MAX_ITEMS:
        raise InputError(f"more than {MAX_ITEMS} evidence items")
    found: list[Observation] = []
    for i, item in enumerate(items):
        kind = item.get("kind") if isinstance(item, Mapping) else None
        reader = KINDS.get(str(kind))
        if reader is None:
            raise InputError(f"evidence[{i}]: unknown kind {kind!r} (known: {', '.join(KINDS)})")
        try:
            found.extend(reader(item, ip))
        except (ProtocolError, InputError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"evidence[{i}] ({kind}): {exc}"[:300]) from None
    return found


def _line(number: int, text: str) -> Line:
    label = _PLACEHOLDER_IP.format(n=number)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return Line(number, label, error=f"not JSON: {exc}"[:200])
    if not isinstance(data, dict):
        return Line(number, label, error="a line is a JSON object with 'evidence'")
    ip = data.get("ip") if isinstance(data.get("ip"), str) else None
    label = ip or (data["id"] if isinstance(data.get("id"), str) else label)
    try:
        return Line(number, label, tuple(observations(data, ip or label)), data=data)
    except InputError as exc:
        return Line(number, label, error=str(exc), data=data)


def guess_kind(text: str) -> str:
    """The evidence kind of a single reply pasted on its own."""
    head = text.lstrip()[:400]
    if head.startswith("RTSP/1."):
        return "rtsp"
    if head.startswith("HTTP/1.") and ("ST:" in head.upper() or "USN:" in head.upper()):
        return "ssdp"
    if head.startswith("HTTP/"):
        return "http"
    if head.startswith("{"):
        return "dhip_json"
    if head.startswith("-----BEGIN CERTIFICATE"):
        return "tls_cert"
    if head.startswith("<"):
        return _xml_kind(head)
    return "banner"


def _xml_kind(head: str) -> str:
    for marker, kind in (
        ("ProbeMatches", "wsd"),
        ("ProbeMatch", "sadp_xml"),
        ("GetDeviceInformationResponse", "onvif_device_info"),
        ("urn:schemas-upnp-org:device", "upnp_xml"),
    ):
        if marker in head:
            return kind
    return "isapi_xml"


def single(text: str) -> Line:
    """One reply pasted on its own (not JSON lines): its kind guessed from its first bytes."""
    kind = guess_kind(text)
    key = {"tls_cert": "pem", "banner": "text"}.get(kind, "raw")
    return _line(1, json.dumps({"id": "pasted", "evidence": [{"kind": kind, key: text}]}))


def read(stream: TextIO) -> Iterator[Line]:
    """Lines of JSON, one device each; or the whole input as one pasted reply."""
    first = stream.readline(MAX_LINE + 1)
    if not first.lstrip().startswith("{") or '"evidence"' not in first:
        text = first + stream.read(MAX_TEXT)
        if text.strip():
            yield single(text)
        else:
            yield Line(1, _PLACEHOLDER_IP.format(n=1), error="no evidence given (empty input)")
        return
    number, text = 1, first
    while text:
        if len(text) > MAX_LINE:
            yield Line(number, _PLACEHOLDER_IP.format(n=number), error=f"longer than {MAX_LINE} characters")
            while text and not text.endswith("\n"):
                text = stream.readline(MAX_LINE + 1)
        elif text.strip():
            yield _line(number, text)
        number += 1
        text = stream.readline(MAX_LINE + 1)
