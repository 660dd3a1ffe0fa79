from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from camaudit.model import (
    RAW_CAP,
    VALUE_CAP,
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
    from_dict,
    printable,
    to_dict,
)

WHEN = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _evidence() -> Evidence:
    return Evidence(
        kind="http.response",
        field="http.header.server",
        value="App-webs/",
        rule_id="hikvision-app-webs",
        source="probe:http",
        ip="127.42.0.2",
        port=80,
        claims={"manufacturer": "hikvision"},
        confidence=0.7,
    )


def _samples() -> list[object]:
    ev = _evidence()
    finding = Finding(
        check_id="cve-2017-7921",
        kind=FindingKind.VULNERABILITY,
        severity=Severity.CRITICAL,
        title="Improper authentication",
        evidence=(ev,),
        references=("https://www.cisa.gov/news-events/ics-advisories/icsa-17-124-01",),
        details={"cvss": "10.0"},
    )
    return [
        Observation(
            source="probe:sadp",
            ip="127.42.0.2",
            port=37020,
            transport=Transport.UDP,
            protocol="sadp",
            kind="sadp.reply",
            fields={"sadp.DeviceDescription": "DS-2CD2042WD-I"},
            raw=b"<ProbeMatch/>",
            mac="44:19:b6:00:00:01",
            time=WHEN,
        ),
        ProbeAttempt(
            "rtsp", "127.42.0.9", 554, Transport.TCP, ProbeStatus.TIMEOUT, "no reply in 3s", time=WHEN
        ),
        ev,
        finding,
        Device(
            ips=("127.42.0.2",),
            mac="44:19:b6:00:00:01",
            ports=(80, 554),
            brand="lts",
            manufacturer="hikvision",
            evidence=(ev,),
            findings=(finding,),
            confidence=0.9,
            firmware_build=date(2019, 9, 9),
        ),
        Audit(id="a1", started=WHEN, scope=("127.42.0.0/24",), options={"rate": 100}, version="0.1.0"),
    ]


@pytest.mark.parametrize("obj", _samples(), ids=lambda o: type(o).__name__)
def test_json_round_trip(obj: object) -> None:
    data = json.loads(json.dumps(to_dict(obj)))  # type: ignore[arg-type]
    assert data["schema"] == "camaudit.model/1"
    assert from_dict(type(obj), data) == obj  # type: ignore[type-var]


def test_from_dict_rejects_other_schema_and_unknown_keys() -> None:
    data = to_dict(_evidence())
    with pytest.raises(ValueError, match="unsupported schema"):
        from_dict(Evidence, {**data, "schema": "camaudit.model/99"})
    with pytest.raises(ValueError, match="unknown keys"):
        from_dict(Evidence, {**data, "password": "x"})


def test_observation_bounds_raw_and_values_and_is_immutable() -> None:
    obs = Observation(
        "t",
        "127.0.0.1",
        80,
        Transport.TCP,
        "http",
        "http.response",
        fields={"http.body": "x" * 10_000},
        raw=b"y" * 100_000,
    )
    assert len(obs.raw) == RAW_CAP
    assert len(obs.fields["http.body"]) == VALUE_CAP
    with pytest.raises(TypeError):
        obs.fields["http.body"] = "z"  # type: ignore[index]


def test_device_key_prefers_mac_then_serial_then_ip() -> None:
    assert Device(ips=("1.2.3.4",), mac="aa:bb:cc:dd:ee:ff", serial="S").key == "mac:aa:bb:cc:dd:ee:ff"
    assert Device(ips=("1.2.3.4",), serial="S").key == "serial:S"
    assert Device(ips=("1.2.3.4",)).key == "ip:1.2.3.4"


_TEXT = st.text(max_size=40)
_FLOAT = st.floats(allow_nan=False, allow_infinity=False)
_WHEN = st.datetimes(timezones=st.just(UTC))
_EVIDENCE = st.builds(
    Evidence,
    kind=_TEXT,
    field=_TEXT,
    value=_TEXT,
    rule_id=st.none() | _TEXT,
    source=_TEXT,
    ip=st.none() | _TEXT,
    port=st.none() | st.integers(0, 65535),
    claims=st.dictionaries(_TEXT, _TEXT, max_size=3),
    confidence=_FLOAT,
    inferred=st.booleans(),
)
_FINDING = st.builds(
    Finding,
    check_id=_TEXT,
    kind=st.sampled_from(FindingKind),
    severity=st.sampled_from(Severity),
    title=_TEXT,
    evidence=st.lists(_EVIDENCE, max_size=2).map(tuple),
    references=st.lists(_TEXT, max_size=2).map(tuple),
    verified=st.booleans(),
    status=_TEXT,
    details=st.dictionaries(_TEXT, _TEXT, max_size=3),
)
_MODELS = st.one_of(
    _EVIDENCE,
    _FINDING,
    st.builds(
        Device,
        ips=st.lists(_TEXT, max_size=2).map(tuple),
        mac=st.none() | _TEXT,
        ports=st.lists(st.integers(0, 65535), max_size=3).map(tuple),
        model=st.none() | _TEXT,
        confidence=_FLOAT,
        evidence=st.lists(_EVIDENCE, max_size=2).map(tuple),
        conflicts=st.lists(_TEXT, max_size=2).map(tuple),
        findings=st.lists(_FINDING, max_size=2).map(tuple),
        firmware_inferred=st.booleans(),
        firmware_build=st.none() | st.dates(),
    ),
    st.builds(
        Observation,
        source=_TEXT,
        ip=_TEXT,
        port=st.none() | st.integers(0, 65535),
        transport=st.sampled_from(Transport),
        protocol=_TEXT,
        kind=_TEXT,
        fields=st.dictionaries(_TEXT, _TEXT, max_size=3),
        raw=st.binary(max_size=64),
        mac=st.none() | _TEXT,
        time=_WHEN,
    ),
    st.builds(
        ProbeAttempt,
        probe=_TEXT,
        ip=_TEXT,
        port=st.none() | st.integers(0, 65535),
        transport=st.sampled_from(Transport),
        status=st.sampled_from(ProbeStatus),
        error_reason=st.none() | _TEXT,
        bytes_read=st.integers(0, 2**31),
        duration_ms=_FLOAT,
        time=_WHEN,
    ),
    st.builds(
        Audit,
        id=_TEXT,
        started=_WHEN,
        scope=st.lists(_TEXT, max_size=3).map(tuple),
        options=st.dictionaries(_TEXT, st.none() | st.booleans() | st.integers() | _TEXT, max_size=3),
        version=_TEXT,
        finished=st.none() | _WHEN,
    ),
)


@given(_MODELS)
def test_the_codec_is_lossless_for_every_model_type(obj: object) -> None:
    """What the register and every file keep: equal to what was encoded, field for field."""
    data = json.loads(json.dumps(to_dict(obj)))  # type: ignore[arg-type]
    assert from_dict(type(obj), data) == obj  # type: ignore[type-var]


# --- issue 13: device- and file-supplied strings enter the model with their controls made visible -------

HOSTILE = "\x1b[2J\x1b]0;title\x07\x9b31m\u202etxt.exe\ud800\x00"
SHOWN = "\\x1b[2J\\x1b]0;title\\x07\\x9b31m\\u202etxt.exe\\ud800\\x00"


def test_printable_escapes_c0_c1_bidi_and_surrogates_and_is_idempotent() -> None:
    assert printable(HOSTILE) == SHOWN
    assert printable(SHOWN) == SHOWN
    assert printable("body\n\tline\r\n", lines=True) == "body\n\tline\r\n"
    assert printable("a\nb") == "a\\x0ab"
    assert printable("Hikvision DS-2CD2043G2-I ü 中文") == "Hikvision DS-2CD2043G2-I ü 中文"


def test_every_model_type_shows_controls_escaped_and_the_codec_stays_lossless() -> None:
    obs = Observation("probe:dhip", "10.0.0.1", 37810, Transport.UDP, "dhip", "dhip.reply", {"k": HOSTILE})
    ev = Evidence("dhip.reply", "dhip.DeviceType", HOSTILE, claims={"model": HOSTILE})
    finding = Finding(
        "x", FindingKind.CREDENTIAL, Severity.INFO, f"account {HOSTILE}", details={"a": HOSTILE}
    )
    device = Device(ips=("10.0.0.1",), model=HOSTILE, serial=HOSTILE, conflicts=(HOSTILE,), evidence=(ev,))
    attempt = ProbeAttempt("http", "10.0.0.1", 80, Transport.TCP, ProbeStatus.MALFORMED, HOSTILE)
    assert obs.fields["k"] == SHOWN and ev.value == SHOWN and ev.claims["model"] == SHOWN
    assert finding.title == f"account {SHOWN}" and finding.details["a"] == SHOWN
    assert device.model == device.serial == device.conflicts[0] == SHOWN
    assert attempt.error_reason == SHOWN
    for item in (obs, ev, finding, device, attempt):
        assert from_dict(type(item), to_dict(item)) == item
