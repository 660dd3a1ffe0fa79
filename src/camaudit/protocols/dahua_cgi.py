"""Sans-I/O parsers for the read-only Dahua CGI answers the authenticated audit reads.

Dahua's HTTP API answers ``GET /cgi-bin/magicBox.cgi?action=getSystemInfo`` and
``/cgi-bin/configManager.cgi?action=getConfig&name=<Name>`` with ``key=value`` lines
(``table.NTP.Address=…``), behind HTTP Digest (devices.md §4.2, rroller/dahua ``client.py``;
§8.2 for ``T2UServer``, NTP and DDNS). Each parser keeps a few vendor-neutral facts (``auth.*``);
the rest of the configuration is dropped. User lists keep names and groups only.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from camaudit.errors import MessageTooLarge, ProtocolError

MAX_BODY = 64 * 1024
MAX_LINES = 4096
Facts = dict[str, str]
Table = dict[str, str]
_KEY = re.compile(r"^[A-Za-z0-9_.:\[\]-]{1,200}$")
_INDEX = re.compile(r"\[(\d{1,4})\]")

# VideoAnalyseRule Type values grouped by what the audit reports (Dahua rule type names).
_ANALYTICS = {
    "FaceDetection": "face_capture",
    "FaceRecognition": "face_capture",
    "FaceAnalysis": "face_capture",
    "NumberStat": "people_counting",
    "ManNumDetection": "people_counting",
    "TrafficJunction": "anpr",
    "TrafficGate": "anpr",
    "TrafficParking": "anpr",
}


def parse_table(body: bytes) -> Table:
    """``key=value`` lines into a dict (first value wins); lines that are not key=value are skipped.

    Raises:
        MessageTooLarge: over MAX_BODY bytes.
        ProtocolError: the body says ``Error`` or holds no key=value line.
    """
    if len(body) > MAX_BODY:
        raise MessageTooLarge(f"CGI answer of {len(body)} bytes exceeds {MAX_BODY}")
    text = body.decode("utf-8", "replace")
    table: Table = {}
    for line in text.splitlines()[:MAX_LINES]:
        key, sep, value = line.partition("=")
        if sep and _KEY.match(key.strip()):
            table.setdefault(key.strip(), value.strip())
    if not table:
        raise ProtocolError(f"not a Dahua key=value answer: {text[:40]!r}")
    return table


def _flag(value: str | None) -> str:
    return "enabled" if (value or "").lower() == "true" else "disabled"


def system_info(t: Table) -> Facts:
    return {"auth.device.model": t.get("deviceType", ""), "auth.device.serial": t.get("serialNumber", "")}


def software_version(t: Table) -> Facts:
    # "2.420.0000.8.R,build:2016-03-25": the version proper is before the comma.
    return {"auth.device.firmware": t.get("version", "").split(",", 1)[0]}


def users(t: Table) -> Facts:
    rows = sorted({int(m.group(1)) for k in t if k.startswith("users[") and (m := _INDEX.search(k))})
    pairs = [f"{t.get(f'users[{i}].Name', '?')}:{t.get(f'users[{i}].Group', '?')}" for i in rows[:256]]
    return {"auth.users": ",".join(pairs)}


def ntp(t: Table) -> Facts:
    enabled = _flag(t.get("table.NTP.Enable"))
    server = f"{t.get('table.NTP.Address', '')}:{t.get('table.NTP.Port', '123')}"
    return {"auth.ntp": enabled, "auth.ntp.servers": server if enabled == "enabled" else ""}


def ddns(t: Table) -> Facts:
    enabled = [i for i in range(16) if _flag(t.get(f"table.DDNS[{i}].Enable")) == "enabled"]
    first = enabled[0] if enabled else 0
    server = f"{t.get(f'table.DDNS[{first}].Protocol', '')} {t.get(f'table.DDNS[{first}].Address', '')}"
    return {"auth.ddns": "enabled" if enabled else "disabled", "auth.ddns.server": server.strip()}


def upnp(t: Table) -> Facts:
    maps = []
    for i in range(64):
        prefix = f"table.UPnP.MapTable[{i}]"
        if _flag(t.get(f"{prefix}.Enable")) == "enabled":
            inner, outer = t.get(f"{prefix}.InnerPort", "?"), t.get(f"{prefix}.OuterPort", "?")
            maps.append(f"{t.get(f'{prefix}.Protocol', 'TCP')} {inner}->{outer}")
    return {"auth.upnp": _flag(t.get("table.UPnP.Enable")), "auth.upnp.mappings": ",".join(maps)}


def p2p(t: Table) -> Facts:
    """Dahua P2P cloud (Easy4IP / Imou / DMSS): the T2UServer config (devices.md §8.2)."""
    return {"auth.cloud.dahua_p2p": _flag(t.get("table.T2UServer.Enable"))}


def _service(name: str, key: str) -> Callable[[Table], Facts]:
    def parse(t: Table) -> Facts:
        return {f"auth.service.{name}": _flag(t.get(key))}

    return parse


def rtsp(t: Table) -> Facts:
    return {"auth.service.rtsp": f"{_flag(t.get('table.RTSP.Enable'))}:{t.get('table.RTSP.Port', '554')}"}


def network(t: Table) -> Facts:
    return {"auth.service.dvrip": f"enabled:{t.get('table.Network.TCPPort', '37777')}"}


def email(t: Table) -> Facts:
    # The SMTP server only; recipients are personal data and are not kept.
    if _flag(t.get("table.Email.Enable")) != "enabled":
        return {}
    return {"auth.event_push": f"smtp://{t.get('table.Email.Address', '')}:{t.get('table.Email.Port', '25')}"}


def analytics(t: Table) -> Facts:
    facts: Facts = {}
    for key, kind in t.items():
        if key.startswith("table.VideoAnalyseRule[") and key.endswith("].Type") and kind in _ANALYTICS:
            name = _ANALYTICS[kind]
            on = _flag(t.get(key[: -len("Type")] + "Enable"))
            if facts.get(f"auth.analytics.{name}") != "enabled":
                facts[f"auth.analytics.{name}"] = on
    return facts


def encode(t: Table) -> Facts:
    return {"auth.analytics.audio": _flag(t.get("table.Encode[0].MainFormat[0].AudioEnable"))}


def remote_devices(t: Table) -> Facts:
    """NVR channels (RemoteDevice config): the cameras behind the recorder."""
    names = sorted({k.split(".")[2] for k in t if k.startswith("table.RemoteDevice.") and k.count(".") >= 3})
    facts: Facts = {}
    for n, uid in enumerate(names[:256], start=1):
        prefix = f"table.RemoteDevice.{uid}"
        if _flag(t.get(f"{prefix}.Enable")) == "enabled":
            parts = (
                t.get(f"{prefix}.Address", ""),
                t.get(f"{prefix}.ProtocolType", ""),
                t.get(f"{prefix}.DeviceType", ""),
            )
            facts[f"auth.channel.{n}"] = " ".join(p for p in parts if p)
    facts["auth.channels"] = str(sum(1 for k in facts if k.startswith("auth.channel.")))
    return facts


PARSERS: dict[str, Callable[[Table], Facts]] = {
    "getSystemInfo": system_info,
    "getSoftwareVersion": software_version,
    "getUserInfoAll": users,
    "NTP": ntp,
    "DDNS": ddns,
    "UPnP": upnp,
    "T2UServer": p2p,
    "Telnet": _service("telnet", "table.Telnet.Enable"),
    "SSHD": _service("ssh", "table.SSHD.Enable"),
    "RTSP": rtsp,
    "Network": network,
    "Email": email,
    "VideoAnalyseRule": analytics,
    "Encode": encode,
    "RemoteDevice": remote_devices,
}


def parse(body: bytes, name: str) -> Facts:
    """Facts from one CGI answer; `name` is the action or config name (a PARSERS key)."""
    return {k: v for k, v in PARSERS[name](parse_table(body)).items() if v}
