"""ONVIF device service (SOAP 1.2 over HTTP POST to /onvif/device_service) — sans-I/O codec.

Public sources:
* ONVIF Device Management Service Specification / devicemgmt.wsdl
  (https://www.onvif.org/ver10/device/wsdl/devicemgmt.wsdl): `GetDeviceInformation` ->
  Manufacturer, Model, FirmwareVersion, SerialNumber, HardwareId; `GetSystemDateAndTime` ->
  `SystemDateAndTime` (DateTimeType, DaylightSavings, TimeZone/TZ, UTCDateTime, LocalDateTime);
* ONVIF schema onvif.xsd (https://www.onvif.org/ver10/schema/onvif.xsd): `tt:DateTime` is
  `Time` (Hour, Minute, Second) then `Date` (Year, Month, Day);
* ONVIF Core Specification §5.11 (faults, `ter:NotAuthorized`) and SOAP 1.2 Part 1 §5.4
  (Fault/Code/Value, Subcode/Value, Reason/Text); some firmware still answers SOAP 1.1
  (`faultcode`), which is read as a fallback.

Requests carry no WS-Security header: camaudit only asks what a device tells anyone
(devices.md §3: GetSystemDateAndTime is pre-auth; GetDeviceInformation often is not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from camaudit.errors import ProtocolError
from camaudit.protocols import xmlsafe

DEVICE_SERVICE_PATH = "/onvif/device_service"
MAX_SIZE = 64 * 1024  # a GetDeviceInformation reply is < 2 KiB
DEVICE_INFO_KEYS = ("Manufacturer", "Model", "FirmwareVersion", "SerialNumber", "HardwareId")
MAX_FIELDS = 64

_SOAP = "http://www.w3.org/2003/05/soap-envelope"
_NS = (
    f'xmlns:s="{_SOAP}" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" '
    'xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:ter="http://www.onvif.org/ver10/error"'
)


@dataclass(frozen=True, slots=True)
class OnvifResponse:
    """A parsed SOAP response.

    Attributes:
        operation: local name of the first Body child (`GetDeviceInformationResponse`, `Fault`).
        fields: leaf texts by local name (first occurrence); for GetSystemDateAndTime also
            `UTCDateTime` as ISO 8601 when the device sent a valid date and time.
        fault: the fault subcode (`ter:NotAuthorized`, else the Code value) or None.
    """

    operation: str
    fields: dict[str, str] = field(default_factory=dict)
    fault: str | None = None

    @property
    def utc_datetime(self) -> datetime | None:
        value = self.fields.get("UTCDateTime")
        return datetime.fromisoformat(value) if value else None


def _envelope(body: str) -> bytes:
    envelope = f"<s:Envelope {_NS}><s:Body>{body}</s:Body></s:Envelope>"
    return f'<?xml version="1.0" encoding="UTF-8"?>{envelope}'.encode()


def build_get_device_information() -> bytes:
    """Unauthenticated GetDeviceInformation request."""
    return _envelope("<tds:GetDeviceInformation/>")


def build_get_system_date_and_time() -> bytes:
    """Unauthenticated GetSystemDateAndTime request (pre-auth in ONVIF Core)."""
    return _envelope("<tds:GetSystemDateAndTime/>")


def _first_body_child(data: bytes) -> Element:
    root = xmlsafe.parse_xml(data, max_size=MAX_SIZE)
    body = xmlsafe.find_child(root, "Body") if xmlsafe.local_name(root.tag) == "Envelope" else None
    first = next(iter(body), None) if body is not None else None
    if first is None:
        raise ProtocolError("not a SOAP envelope with a Body child")
    return first


def request_operation(body: bytes) -> str:
    """Local name of the request's first Body child, e.g. `GetDeviceInformation` (lab side)."""
    return xmlsafe.local_name(_first_body_child(body).tag)


def build_device_information_response(
    *, manufacturer: str, model: str, firmware_version: str, serial_number: str, hardware_id: str
) -> bytes:
    """GetDeviceInformationResponse (lab side); values are XML-escaped.

    Raises:
        ValueError: a value holds a character XML cannot carry.
    """
    values = (manufacturer, model, firmware_version, serial_number, hardware_id)
    inner = "".join(
        f"<tds:{key}>{xmlsafe.escape(value)}</tds:{key}>"
        for key, value in zip(DEVICE_INFO_KEYS, values, strict=True)
    )
    return _envelope(f"<tds:GetDeviceInformationResponse>{inner}</tds:GetDeviceInformationResponse>")


def build_system_date_and_time_response(when: datetime) -> bytes:
    """GetSystemDateAndTimeResponse for `when` (naive values are taken as UTC), NTP-set, UTC zone."""
    utc = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    stamp = (
        f"<tt:Time><tt:Hour>{utc.hour}</tt:Hour><tt:Minute>{utc.minute}</tt:Minute>"
        f"<tt:Second>{utc.second}</tt:Second></tt:Time>"
        f"<tt:Date><tt:Year>{utc.year}</tt:Year><tt:Month>{utc.month}</tt:Month><tt:Day>{utc.day}</tt:Day></tt:Date>"
    )
    inner = (
        "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
        "<tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone>"
        f"<tt:UTCDateTime>{stamp}</tt:UTCDateTime><tt:LocalDateTime>{stamp}</tt:LocalDateTime>"
    )
    return _envelope(
        "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
        f"{inner}</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
    )


def build_fault(subcode: str = "ter:NotAuthorized", reason: str = "Sender not Authorized") -> bytes:
    """A SOAP 1.2 Sender fault with an ONVIF subcode (lab side; `ter:` is declared).

    Raises:
        ValueError: a value holds a character XML cannot carry.
    """
    return _envelope(
        "<s:Fault><s:Code><s:Value>s:Sender</s:Value>"
        f"<s:Subcode><s:Value>{xmlsafe.escape(subcode)}</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en">{xmlsafe.escape(reason)}</s:Text></s:Reason></s:Fault>'
    )


def parse_response(data: bytes) -> OnvifResponse:
    """Parse a device-service SOAP response or fault. Raises ProtocolError."""
    first = _first_body_child(data)
    operation = xmlsafe.local_name(first.tag)
    fields = _leaf_texts(first)
    if operation == "Fault":
        return OnvifResponse(operation=operation, fields=fields, fault=_fault_code(first))
    fields.pop("UTCDateTime", None)  # only ever the validated value below, never raw text
    utc = _utc_datetime(first)
    if utc is not None:
        fields["UTCDateTime"] = utc.isoformat()
    return OnvifResponse(operation=operation, fields=fields)


def _leaf_texts(elem: Element) -> dict[str, str]:
    """Text of every element without children, by local name, first occurrence wins."""
    fields: dict[str, str] = {}
    for node in elem.iter():
        if len(node) == 0 and node is not elem and len(fields) < MAX_FIELDS:
            fields.setdefault(xmlsafe.local_name(node.tag), xmlsafe.text_of(node))
    return fields


def _fault_code(fault: Element) -> str:
    """Innermost Subcode/Value, else Code/Value, else SOAP 1.1 faultcode, else ""."""
    code = xmlsafe.find_child(fault, "Code")
    value = xmlsafe.child_text(code, "Value") if code is not None else None
    node = xmlsafe.find_child(code, "Subcode") if code is not None else None
    while node is not None:
        value = xmlsafe.child_text(node, "Value") or value
        node = xmlsafe.find_child(node, "Subcode")
    return value or xmlsafe.child_text(fault, "faultcode") or ""


def _utc_datetime(response: Element) -> datetime | None:
    """SystemDateAndTime/UTCDateTime as an aware datetime; None when absent or invalid."""
    stamp = next(xmlsafe.iter_descendants(response, "UTCDateTime"), None)
    if stamp is None:
        return None
    names = (("Date", "Year"), ("Date", "Month"), ("Date", "Day"), ("Time", "Hour"), ("Time", "Minute"))
    parts = [xmlsafe.text_of(xmlsafe.find_path(stamp, *path)) for path in (*names, ("Time", "Second"))]
    if not all(0 < len(p) <= 4 and p.isascii() and p.isdigit() for p in parts):
        return None
    year, month, day, hour, minute, second = (int(p) for p in parts)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None


def observation_fields(resp: OnvifResponse) -> dict[str, str]:
    """`onvif.<DeviceInformation key>`, `onvif.fault`, `onvif.utc_datetime` (fields.yaml)."""
    fields = {f"onvif.{key}": resp.fields[key] for key in DEVICE_INFO_KEYS if key in resp.fields}
    if resp.fault is not None:
        fields["onvif.fault"] = resp.fault
    if "UTCDateTime" in resp.fields:
        fields["onvif.utc_datetime"] = resp.fields["UTCDateTime"]
    return fields
