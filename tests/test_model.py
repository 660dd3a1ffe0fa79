from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

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
