"""The maker verdict: firmware tells decide, labels add to the maker they agree with, weak OEM links
are hints, and two strong tells for different makers are a conflict, not a guess."""

from __future__ import annotations

from camaudit.identify.manufacturer import label_votes, verdict
from camaudit.model import Evidence


def ev(field: str, confidence: float, **claims: str) -> Evidence:
    return Evidence(kind="test", field=field, value="v", rule_id="r", claims=claims, confidence=confidence)


def test_a_rebrand_label_names_its_oem_maker() -> None:
    assert [m for m, _ in label_votes("lts", 0.85)] == ["hikvision"]
    result = verdict([ev("onvif.Manufacturer", 0.85, brand="lts")])
    assert result.manufacturer == "hikvision"


def test_a_label_with_some_oem_lines_is_mostly_itself() -> None:
    votes = dict(label_votes("panasonic", 0.85))  # oem.yaml: Panasonic -> Dahua 0.2, a hint
    assert votes["panasonic"] > votes["dahua"]
    assert verdict([ev("onvif.Manufacturer", 0.85, brand="panasonic")]).manufacturer == "panasonic"


def test_a_label_never_outvotes_the_firmware() -> None:
    # Honeywell sold both Hikvision- and Dahua-made lines: a Dahua realm decides, the label does not fight it
    found = verdict(
        [ev("onvif.Manufacturer", 0.85, brand="honeywell"), ev("rtsp.realm", 0.9, manufacturer="dahua")]
    )
    assert found.manufacturer == "dahua" and found.conflicts == ()


def test_two_strong_firmware_tells_for_different_makers_conclude_nothing() -> None:
    found = verdict([ev("sadp.x", 0.9, manufacturer="hikvision"), ev("dhip.x", 0.9, manufacturer="dahua")])
    assert found.manufacturer is None and found.conflicts


def test_a_strong_tell_beats_a_lone_weak_hint() -> None:
    found = verdict(
        [ev("sadp.x", 0.95, manufacturer="hikvision"), ev("http.title", 0.4, manufacturer="dahua")]
    )
    assert found.manufacturer == "hikvision" and "dahua" in found.conflicts[0]


def test_tells_of_one_reply_count_once() -> None:
    one_reply = [
        ev("dhip.Vendor", 0.6, manufacturer="dahua"),
        ev("dhip.DeviceType", 0.6, manufacturer="dahua"),
    ]
    assert verdict(one_reply).scores["dahua"] == 0.6


def test_a_naming_scheme_counts_with_the_reply_that_reported_it() -> None:
    from camaudit.identify.manufacturer import family

    for key in ("model", "serial", "firmware"):
        named = Evidence(kind="identify", field=f"device.{key}", value="v", source=f"{key}:dhip.SerialNo")
        assert family(named) == "dhip."
    realm = Evidence(
        kind="identify", field="device.serial", value="v", source="serial:rtsp.www_authenticate.realm"
    )
    assert family(realm) == "rtsp.www_authenticate.realm"


def test_an_unopposed_label_is_kept_and_a_contested_one_is_not() -> None:
    from camaudit.identify.manufacturer import unopposed_brand

    assert unopposed_brand([ev("onvif.Manufacturer", 0.85, brand="sunba")]) == "sunba"
    # the label's own OEM maker is no opposition
    assert (
        unopposed_brand([ev("onvif.Manufacturer", 0.85, brand="lorex"), ev("x", 0.3, manufacturer="dahua")])
        == "lorex"
    )
    # a firmware tell for a maker the label is not sold by, or two labels, leave it unknown
    assert (
        unopposed_brand(
            [ev("dhip.Vendor", 0.95, brand="dahua"), ev("sadp.x", 0.95, manufacturer="hikvision")]
        )
        is None
    )
    assert unopposed_brand([ev("a", 0.85, brand="sunba"), ev("b", 0.85, brand="lorex")]) is None
