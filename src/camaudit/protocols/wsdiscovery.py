"""ONVIF WS-Discovery (UDP 3702, SOAP 1.2 over UDP) — sans-I/O codec.

Public sources (see /work/shared/reference/devices.md §3):
* WS-Discovery 2005/04 (http://schemas.xmlsoap.org/ws/2005/04/discovery/), which ONVIF Core
  uses: `Probe` (Types, Scopes), `ProbeMatches/ProbeMatch` (EndpointReference/Address, Types,
  Scopes, XAddrs, MetadataVersion), `Hello` with the same children; WS-Addressing 2004/08
  headers (Action, MessageID, RelatesTo, To, ReplyTo);
* ONVIF Core Specification §7.3 (scopes `onvif://www.onvif.org/<key>/<value>`: Profile,
  location, hardware, name, type);
* julienblitte/UniversalScanner `Wsdiscovery.cs` (the probe ONVIF Device Manager sends).

Real devices use the 2005/04 or the 2009/01 discovery namespace with varying prefixes, so every
parser here matches by local name only.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from camaudit.errors import ProtocolError
from camaudit.protocols import xmlsafe

PORT = 3702
MULTICAST_GROUP = "239.255.255.250"
MAX_SIZE = 64 * 1024  # one UDP datagram; real ProbeMatches are 1–3 KiB
MAX_MATCHES = 64
MAX_LIST_ITEMS = 256  # scopes / xaddrs kept per match
SCOPE_PREFIX = "onvif://www.onvif.org/"

_NS = (
    'xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl" '
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"'
)
_DISCOVERY = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
_ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"


@dataclass(frozen=True, slots=True)
class WsdProbe:
    """A parsed Probe (lab side).

    Attributes:
        message_id: the WS-Addressing MessageID, echoed as RelatesTo in the reply.
        types: the Types text as sent (`dn:NetworkVideoTransmitter`), "" when absent.
    """

    message_id: str
    types: str


@dataclass(frozen=True, slots=True)
class ProbeMatch:
    """One ProbeMatch (or Hello) entry.

    Attributes:
        endpoint: EndpointReference/Address (usually `urn:uuid:…`), "" when absent.
        types: Types text, "" when absent.
        scopes: the space-separated Scopes URIs.
        xaddrs: the space-separated XAddrs (`http://IP/onvif/device_service`).
        metadata_version: MetadataVersion, or None when absent or not a number.
    """

    endpoint: str
    types: str
    scopes: tuple[str, ...]
    xaddrs: tuple[str, ...]
    metadata_version: int | None


def _message_id(message_id: str | None) -> str:
    return message_id if message_id is not None else f"uuid:{uuidlib.uuid4()}"


def _envelope(header: str, body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope {_NS}><s:Header>{header}</s:Header>'
        f"<s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


def build_probe(message_id: str | None = None, types: str = "dn:NetworkVideoTransmitter") -> bytes:
    """A read-only Probe for `types` (prefixes dn/tds are declared); `types=""` probes for all.

    Raises:
        ValueError: a value holds a character XML cannot carry.
    """
    esc = xmlsafe.escape
    header = (
        f'<a:Action s:mustUnderstand="1">{_DISCOVERY}/Probe</a:Action>'
        f"<a:MessageID>{esc(_message_id(message_id))}</a:MessageID>"
        f"<a:ReplyTo><a:Address>{_ANONYMOUS}</a:Address></a:ReplyTo>"
        '<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>'
    )
    types_xml = f"<d:Types>{esc(types)}</d:Types>" if types else ""
    return _envelope(header, f"<d:Probe>{types_xml}</d:Probe>")


def _body_child(data: bytes, names: Sequence[str]) -> tuple[Element, Element]:
    """(envelope, first Body child) when that child's local name is one of `names`."""
    root = xmlsafe.parse_xml(data, max_size=MAX_SIZE)
    body = xmlsafe.find_child(root, "Body") if xmlsafe.local_name(root.tag) == "Envelope" else None
    first = next(iter(body), None) if body is not None else None
    if first is None or xmlsafe.local_name(first.tag) not in names:
        raise ProtocolError(f"not a SOAP envelope whose Body holds {'/'.join(names)}")
    return root, first


def parse_probe(data: bytes) -> WsdProbe:
    """Parse a Probe (lab side). Raises ProtocolError (also when MessageID is missing)."""
    root, probe = _body_child(data, ("Probe",))
    message_id = xmlsafe.text_of(xmlsafe.find_path(root, "Header", "MessageID"))
    if not message_id:
        raise ProtocolError("WS-Discovery Probe without a MessageID")
    return WsdProbe(message_id=message_id, types=xmlsafe.child_text(probe, "Types") or "")


def _list_text(values: Sequence[str], what: str) -> str:
    for value in values:
        if not value or value != "".join(value.split()):
            raise ValueError(f"{what} entries must be non-empty and free of whitespace: {value!r}")
    return xmlsafe.escape(" ".join(values))


def build_probe_matches(
    *,
    relates_to: str,
    endpoint: str,
    types: str,
    scopes: Sequence[str],
    xaddrs: Sequence[str],
    metadata_version: int = 1,
    message_id: str | None = None,
) -> bytes:
    """A ProbeMatches reply with one ProbeMatch (lab side), in the 2005/04 namespace.

    Raises:
        ValueError: a scope/xaddr is empty or holds whitespace, or a value holds a character
            XML cannot carry.
    """
    esc = xmlsafe.escape
    header = (
        f"<a:Action>{_DISCOVERY}/ProbeMatches</a:Action>"
        f"<a:MessageID>{esc(_message_id(message_id))}</a:MessageID>"
        f"<a:RelatesTo>{esc(relates_to)}</a:RelatesTo><a:To>{_ANONYMOUS}</a:To>"
    )
    match = (
        f"<a:EndpointReference><a:Address>{esc(endpoint)}</a:Address></a:EndpointReference>"
        f"<d:Types>{esc(types)}</d:Types><d:Scopes>{_list_text(scopes, 'scope')}</d:Scopes>"
        f"<d:XAddrs>{_list_text(xaddrs, 'xaddr')}</d:XAddrs>"
        f"<d:MetadataVersion>{int(metadata_version)}</d:MetadataVersion>"
    )
    return _envelope(header, f"<d:ProbeMatches><d:ProbeMatch>{match}</d:ProbeMatch></d:ProbeMatches>")


def parse_probe_matches(data: bytes) -> list[ProbeMatch]:
    """Every ProbeMatch of a ProbeMatches reply; a Hello announcement gives one entry.

    Raises:
        ProtocolError: not a SOAP envelope with ProbeMatches or Hello in its Body, or more
            than MAX_MATCHES entries.
    """
    _, first = _body_child(data, ("ProbeMatches", "Hello"))
    entries = [first] if xmlsafe.local_name(first.tag) == "Hello" else xmlsafe.children(first, "ProbeMatch")
    if len(entries) > MAX_MATCHES:
        raise ProtocolError(f"more than {MAX_MATCHES} ProbeMatch entries")
    return [_probe_match(entry) for entry in entries]


def _probe_match(entry: Element) -> ProbeMatch:
    version = xmlsafe.child_text(entry, "MetadataVersion") or ""
    return ProbeMatch(
        endpoint=xmlsafe.text_of(xmlsafe.find_path(entry, "EndpointReference", "Address")),
        types=" ".join((xmlsafe.child_text(entry, "Types") or "").split()),
        scopes=tuple((xmlsafe.child_text(entry, "Scopes") or "").split()[:MAX_LIST_ITEMS]),
        xaddrs=tuple((xmlsafe.child_text(entry, "XAddrs") or "").split()[:MAX_LIST_ITEMS]),
        metadata_version=int(version) if _is_small_number(version) else None,
    )


def _is_small_number(text: str) -> bool:
    # isdigit() alone admits non-ASCII digits; the length cap keeps int() away from huge inputs.
    return 0 < len(text) <= 18 and text.isascii() and text.isdigit()


# ONVIF Core §7.3.2.2 scope categories (plus the common vendor `manufacturer`) whose value is
# one name, not a path: everything after the category word is the value.
_SINGLE_VALUED = frozenset({"hardware", "name", "type", "profile", "manufacturer"})


def scope_items(scopes: Sequence[str]) -> dict[str, list[str]]:
    """ONVIF scopes as key -> values: `onvif://www.onvif.org/location/country/china` gives
    `location/country` -> `china`. The key is every path segment but the last; values are
    URL-decoded; other URIs and single-segment scopes are skipped.
    """
    items: dict[str, list[str]] = {}
    for scope in scopes:
        if scope[: len(SCOPE_PREFIX)].lower() != SCOPE_PREFIX:
            continue
        segments = [s for s in scope[len(SCOPE_PREFIX) :].split("/") if s]
        if len(segments) < 2:
            continue
        # A model or name may itself hold a slash (hardware/DS-7204HGHI-SH/A): the ONVIF
        # categories with one value keep everything after the category as the value.
        split = 1 if segments[0].lower() in _SINGLE_VALUED else len(segments) - 1
        values = items.setdefault("/".join(segments[:split]), [])
        value = unquote("/".join(segments[split:]))
        if value not in values:
            values.append(value)
    return items


def observation_fields(match: ProbeMatch) -> dict[str, str]:
    """`wsd.endpoint`, `wsd.types`, `wsd.scopes`, `wsd.xaddrs` and `wsd.scope.<key>` (fields.yaml)."""
    fields = {
        "wsd.endpoint": match.endpoint,
        "wsd.types": match.types,
        "wsd.scopes": " ".join(match.scopes),
        "wsd.xaddrs": " ".join(match.xaddrs),
    }
    for key, values in scope_items(match.scopes).items():
        fields[f"wsd.scope.{key}"] = " ".join(values)
    return fields
