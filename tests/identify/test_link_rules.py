"""Link-layer and discovery rules (OUI, DHCP, mDNS, SSDP) judged end to end, as `camaudit identify` reads."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from camaudit.pipeline.evidence import judged
from camaudit.sources import evidence


def maker_of(*items: dict[str, Any]) -> str | None:
    line = json.dumps({"evidence": list(items)}) + "\n"
    ((row, device),) = list(judged(evidence.read(io.StringIO(line))))
    assert row.error is None
    return device.manufacturer if device else None


def test_doorbird_announcing_axis_video_is_not_axis() -> None:
    # DoorBird door stations announce _axis-video._tcp too; the macaddress TXT tells them apart.
    services = ["_axis-video._tcp.local"]
    assert maker_of({"kind": "mdns", "services": services}) is None
    assert (
        maker_of({"kind": "mdns", "services": services, "txt": {"macaddress": "1CCAE3700A1B"}}) == "doorbird"
    )
    assert maker_of({"kind": "mdns", "services": services, "txt": {"macaddress": "ACCC8E953357"}}) == "axis"


def test_dahua_upnp_sdk_and_axis_uuid() -> None:
    dahua = {
        "SERVER": "Linux/3.8.8, UPnP/1.0, ZheJiang Dahua Technology CO.,LTD. Upnp SDK",
        "USN": "uuid:www.dahuatech.com.device_3_0-1L047ACPAW00037",
    }
    assert maker_of({"kind": "ssdp", "headers": dahua}) == "dahua"
    # The Portable SDK's BasicDevice uuid names Axis only when the address in it is an Axis block.
    axis = {
        "SERVER": "Linux, UPnP/1.0, Portable SDK for UPnP devices/1.6.18",
        "USN": "uuid:Upnp-BasicDevice-1_0-B8A44F26437D::upnp:rootdevice",
    }
    other = {**axis, "USN": "uuid:Upnp-BasicDevice-1_0-001122334455::upnp:rootdevice"}
    assert maker_of({"kind": "ssdp", "headers": axis}) == "axis"
    assert maker_of({"kind": "ssdp", "headers": other}) is None


@pytest.mark.parametrize(
    ("item", "maker"),
    [
        ({"kind": "dhcp", "params": "1,3,4,6,12,15,17,23,28,29,31,33,40,41,42"}, "acti"),
        ({"kind": "dhcp", "params": "1,28,15,6,3,1"}, "panasonic"),
        ({"kind": "dhcp", "params": "1,3,42"}, None),  # Arecont's list is too short to name alone
        ({"kind": "dhcp", "hostname": "Reolink"}, "reolink"),
        ({"kind": "mac", "mac": "00:0F:7C"}, "acti"),
        ({"kind": "mac", "mac": "00:12:67:00:00:01"}, None),  # Panasonic Corporation: a hint only
    ],
)
def test_link_layer_tells(item: dict[str, Any], maker: str | None) -> None:
    assert maker_of(item) == maker
