"""JSON: the view itself, versioned; devices keep the scan's device shape."""

from __future__ import annotations

import json
from typing import Any

from camaudit.report.formats import json as json_format
from camaudit.report.views.devices import device_json


def test_the_json_is_the_view(view: dict[str, Any]) -> None:
    doc = json.loads(json_format.render(view))
    assert doc == json.loads(json.dumps(view))
    assert doc["schema"] == "camaudit.report/1"


def test_devices_keep_the_scan_shape(view: dict[str, Any]) -> None:
    from camaudit.model import Device

    shape = set(device_json(Device(ips=("127.0.0.1",))))
    for device in view["devices"]:
        assert shape <= set(device)
