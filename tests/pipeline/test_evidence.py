"""Identification from recorded replies: each good line gets its device, a refused one none."""

from __future__ import annotations

import io
import json

from camaudit.pipeline.evidence import judged
from camaudit.sources import evidence


def test_a_refused_line_gets_no_device_and_the_others_are_still_judged() -> None:
    reply = "HTTP/1.1 401 Unauthorized\r\nServer: App-webs/\r\n\r\n"
    good = {"ip": "127.0.0.1", "evidence": [{"kind": "http", "port": 80, "path": "/", "raw": reply}]}
    bad = {"ip": "127.0.0.2", "evidence": [{"kind": "no-such-kind"}]}
    text = json.dumps(good) + "\n" + json.dumps(bad) + "\n"
    [(first, device), (second, none)] = list(judged(evidence.read(io.StringIO(text))))
    assert device is not None and device.ip == "127.0.0.1" and first.error is None
    assert none is None and second.error is not None
