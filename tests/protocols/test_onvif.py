from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camaudit.errors import MessageTooLarge, ProtocolError
from camaudit.protocols import onvif

FUZZ = settings(max_examples=200, database=None, deadline=None)

# A GetDeviceInformationResponse shaped as devicemgmt.wsdl defines it, with the SOAP-ENV/tds
# prefixes gSOAP-based firmware uses; values are our own, in the Hikvision formats of devices.md.
DEVICE_INFO = b"""<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope"
 xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><SOAP-ENV:Header/>
<SOAP-ENV:Body><tds:GetDeviceInformationResponse>
<tds:Manufacturer>HIKVISION</tds:Manufacturer>
<tds:Model>DS-2CD2042WD-I</tds:Model>
<tds:FirmwareVersion>V5.5.800 build 210628</tds:FirmwareVersion>
<tds:SerialNumber>DS-2CD2042WD-I20160721AAWR123456789</tds:SerialNumber>
<tds:HardwareId>88</tds:HardwareId>
</tds:GetDeviceInformationResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"""

# GetSystemDateAndTimeResponse per onvif.xsd (tt:DateTime = Time then Date), clock set manually.
DATE_TIME = b"""<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"
 xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">
<env:Body><tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>
<tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>
<tt:TimeZone><tt:TZ>CST-8:00:00</tt:TZ></tt:TimeZone>
<tt:UTCDateTime><tt:Time><tt:Hour>3</tt:Hour><tt:Minute>4</tt:Minute><tt:Second>5</tt:Second></tt:Time>
<tt:Date><tt:Year>2019</tt:Year><tt:Month>1</tt:Month><tt:Day>2</tt:Day></tt:Date></tt:UTCDateTime>
<tt:LocalDateTime><tt:Time><tt:Hour>11</tt:Hour><tt:Minute>4</tt:Minute><tt:Second>5</tt:Second></tt:Time>
<tt:Date><tt:Year>2019</tt:Year><tt:Month>1</tt:Month><tt:Day>2</tt:Day></tt:Date></tt:LocalDateTime>
</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse></env:Body></env:Envelope>"""

# SOAP 1.2 fault with a nested subcode, as ONVIF Core §5.11 shows them.
NESTED_FAULT = b"""<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
 xmlns:ter="http://www.onvif.org/ver10/error"><s:Body><s:Fault>
<s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value>
<s:Subcode><s:Value>ter:InvalidCredentials</s:Value></s:Subcode></s:Subcode></s:Code>
<s:Reason><s:Text xml:lang="en">Sender not authorized</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"""

# SOAP 1.1-style fault that some firmware still sends.
SOAP11_FAULT = b"""<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><e:Fault>
<faultcode>e:Client</faultcode><faultstring>not authorized</faultstring></e:Fault></e:Body></e:Envelope>"""


def _only_protocol_error(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        resp = onvif.parse_response(data)
        onvif.observation_fields(resp)
        _ = resp.utc_datetime
    with contextlib.suppress(ProtocolError):
        onvif.request_operation(data)


def test_requests_name_their_operation_and_carry_no_security_header() -> None:
    for build, operation in (
        (onvif.build_get_device_information, "GetDeviceInformation"),
        (onvif.build_get_system_date_and_time, "GetSystemDateAndTime"),
    ):
        data = build()
        assert onvif.request_operation(data) == operation
        assert b"Security" not in data and b"Header" not in data
        assert b'xmlns:s="http://www.w3.org/2003/05/soap-envelope"' in data
    assert onvif.DEVICE_SERVICE_PATH == "/onvif/device_service"


def test_parse_device_information() -> None:
    resp = onvif.parse_response(DEVICE_INFO)
    assert resp.operation == "GetDeviceInformationResponse" and resp.fault is None
    assert onvif.observation_fields(resp) == {
        "onvif.Manufacturer": "HIKVISION",
        "onvif.Model": "DS-2CD2042WD-I",
        "onvif.FirmwareVersion": "V5.5.800 build 210628",
        "onvif.SerialNumber": "DS-2CD2042WD-I20160721AAWR123456789",
        "onvif.HardwareId": "88",
    }


def test_parse_system_date_and_time_uses_utc_not_local() -> None:
    resp = onvif.parse_response(DATE_TIME)
    assert resp.utc_datetime == datetime(2019, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert resp.fields["TZ"] == "CST-8:00:00" and resp.fields["DateTimeType"] == "Manual"
    assert onvif.observation_fields(resp) == {"onvif.utc_datetime": "2019-01-02T03:04:05+00:00"}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"<tt:Month>1</tt:Month>", b"<tt:Month>13</tt:Month>"),
        (b"<tt:Hour>3</tt:Hour>", b"<tt:Hour>x</tt:Hour>"),
        (b"<tt:Second>5</tt:Second>", b"<tt:Second>" + b"9" * 5000 + b"</tt:Second>"),
        (b"<tt:Day>2</tt:Day></tt:Date></tt:UTCDateTime>", b"</tt:Date></tt:UTCDateTime>"),
    ],
)
def test_invalid_clock_gives_no_utc_datetime(old: bytes, new: bytes) -> None:
    resp = onvif.parse_response(DATE_TIME.replace(old, new, 1))
    assert resp.utc_datetime is None and "onvif.utc_datetime" not in onvif.observation_fields(resp)


def test_raw_utc_datetime_text_is_never_passed_through() -> None:
    resp = onvif.parse_response(
        DEVICE_INFO.replace(b"<tds:HardwareId>", b"<UTCDateTime>junk</UTCDateTime><tds:HardwareId>")
    )
    assert resp.utc_datetime is None and "onvif.utc_datetime" not in onvif.observation_fields(resp)


@pytest.mark.parametrize(
    ("data", "fault"),
    [
        (onvif.build_fault(), "ter:NotAuthorized"),
        (NESTED_FAULT, "ter:InvalidCredentials"),
        (SOAP11_FAULT, "e:Client"),
        (onvif.build_fault(subcode="ter:ActionNotSupported", reason="<b>no</b>"), "ter:ActionNotSupported"),
    ],
)
def test_faults(data: bytes, fault: str) -> None:
    resp = onvif.parse_response(data)
    assert (resp.operation, resp.fault) == ("Fault", fault)
    assert onvif.observation_fields(resp) == {"onvif.fault": fault}


def test_build_fault_default_reason() -> None:
    assert onvif.parse_response(onvif.build_fault()).fields["Text"] == "Sender not Authorized"


def test_device_information_round_trip_keeps_markup_as_text() -> None:
    data = onvif.build_device_information_response(
        manufacturer="Dahua & Co",
        model="<script>alert(1)</script>",
        firmware_version="2.800.0000000.3.R",
        serial_number="4D01234PAZ00001",
        hardware_id="1.00",
    )
    assert b"<script>" not in data
    fields = onvif.observation_fields(onvif.parse_response(data))
    assert fields["onvif.Model"] == "<script>alert(1)</script>"
    assert fields["onvif.Manufacturer"] == "Dahua & Co"


XML_VALUE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xD7FF), max_size=40).map(
    str.strip
)


@FUZZ
@given(XML_VALUE, XML_VALUE, XML_VALUE, XML_VALUE, XML_VALUE)
def test_device_information_round_trip(man: str, model: str, fw: str, sn: str, hw: str) -> None:
    data = onvif.build_device_information_response(
        manufacturer=man, model=model, firmware_version=fw, serial_number=sn, hardware_id=hw
    )
    resp = onvif.parse_response(data)
    assert [resp.fields[k] for k in onvif.DEVICE_INFO_KEYS] == [man, model, fw, sn, hw]


@FUZZ
@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9998, 12, 31)))
def test_date_and_time_round_trip(when: datetime) -> None:
    resp = onvif.parse_response(onvif.build_system_date_and_time_response(when))
    assert resp.utc_datetime == when.replace(microsecond=0, tzinfo=UTC)


def test_aware_datetimes_are_converted_to_utc() -> None:
    when = datetime(2024, 5, 1, 8, 0, 0, tzinfo=timezone(timedelta(hours=8)))
    resp = onvif.parse_response(onvif.build_system_date_and_time_response(when))
    assert resp.utc_datetime == datetime(2024, 5, 1, 0, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<Envelope/>",
        b"<Envelope><Body/></Envelope>",
        b"<Body><GetDeviceInformation/></Body>",
        b"HTTP/1.1 401 Unauthorized\r\n\r\n",
        DEVICE_INFO[:-40],
        DEVICE_INFO.replace(b"HIKVISION", b"HIK\xffVISION"),
    ],
)
def test_malformed_is_protocol_error(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        onvif.parse_response(data)
    with pytest.raises(ProtocolError):
        onvif.request_operation(data)


def test_oversized_is_message_too_large() -> None:
    with pytest.raises(MessageTooLarge):
        onvif.parse_response(DEVICE_INFO + b" " * onvif.MAX_SIZE)


@FUZZ
@given(st.binary(max_size=1000))
def test_arbitrary_bytes(data: bytes) -> None:
    _only_protocol_error(data)


@FUZZ
@given(st.integers(0, len(DATE_TIME)))
def test_truncations(cut: int) -> None:
    _only_protocol_error(DATE_TIME[:cut])
    _only_protocol_error(NESTED_FAULT[:cut])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(DATE_TIME) - 1), st.integers(0, 255)), min_size=1, max_size=10))
def test_mutations(edits: list[tuple[int, int]]) -> None:
    raw, fault = bytearray(DATE_TIME), bytearray(NESTED_FAULT)
    for index, value in edits:
        raw[index] = value
        fault[index % len(fault)] = value
    _only_protocol_error(bytes(raw))
    _only_protocol_error(bytes(fault))
