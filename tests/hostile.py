"""What the hostile-input tests share: a string that attacks a terminal, the pattern of what must never
reach one raw, and a plain Shodan banner to carry them."""

from __future__ import annotations

import re

# Retitles the window (OSC 0), clears the screen (CSI 2J), the C1 CSI form, a right-to-left override.
TERMINAL_ATTACK = "\x1b]0;owned\x07\x1b[2J\x9b31m\u202e"
# C0 and C1 controls (but tab, LF), and the bidirectional overrides and isolates.
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SHODAN_BANNER = {
    "ip_str": "127.0.0.5",
    "port": 80,
    "transport": "tcp",
    "timestamp": "2024-01-01T00:00:00.000000",
    "data": "HTTP/1.1 200 OK\r\nServer: App-webs/\r\n\r\n",
}
