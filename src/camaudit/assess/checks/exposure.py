"""Exposure: what the scan itself saw that widens a device's attack surface (no extra traffic).

Each rule reads the device's own observations (fields per data/vocab/fields.yaml) and names the
observation it rests on. These are observed facts, not verifications of a flaw: ``verified`` stays False.

| check id | from | public basis |
|---|---|---|
| exposure-hik-connect-enabled | SADP ``HCPlatformEnable=true`` | devices.md §1.1, §8.1 (cloud P2P) |
| exposure-not-activated | SADP ``Activated=false`` or ``/SDK/activateStatus`` false | devices.md §1.1, §7.3 |
| exposure-upnp | a ``UPnP/x`` token in a Server header | UPnP Device Architecture 1.0 §1.1 (SERVER header) |
| exposure-telnet-open, exposure-ssh-open | TCP 23 / 22 accepted | Mirai's telnet list (devices.md §7.3) |
| exposure-http-cleartext | an HTTP answer on a port without TLS | RFC 9110 §4.2.1 vs §4.2.2 |
| exposure-rtsp-no-auth | RTSP DESCRIBE answered 200 | RFC 2326 §10.2 |
| exposure-onvif-no-auth | GetDeviceInformation answered without a fault | ONVIF Core §5.12 (access classes) |
| exposure-internet-facing | an address inside ``--internet-facing`` | the user's own statement |

Dahua's DHIP ``Init`` field would tell an uninitialised device, but its encoding is unverified
(devices.md §2.1, open question 4): no finding is drawn from it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from camaudit.assess.framework import AssessOptions, Context
from camaudit.model import Device, Evidence, Finding, FindingKind, Observation, Severity

ID = "exposure"
_UPNP = re.compile(r"\bUPnP/\d", re.IGNORECASE)
_NOT_ACTIVATED = re.compile(r"<Activated>\s*false\s*</Activated>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Rule:
    check_id: str
    severity: Severity
    title: str
    remediation: str
    references: tuple[str, ...]
    select: Callable[[Observation], str | None]  # the field that shows it, or None


def _field(obs: Observation, kind: str, name: str, value: str) -> str | None:
    return name if obs.kind == kind and obs.fields.get(name, "").lower() == value else None


def _upnp(obs: Observation) -> str | None:
    for name in ("http.header.server", "rtsp.header.server"):
        if _UPNP.search(obs.fields.get(name, "")):
            return name
    return None


def _activate_status(obs: Observation) -> str | None:
    if obs.kind == "sadp.reply":
        return _field(obs, "sadp.reply", "sadp.Activated", "false")
    is_status = obs.kind == "http.response" and obs.fields.get("http.path") == "/SDK/activateStatus"
    return "http.body" if is_status and _NOT_ACTIVATED.search(obs.fields.get("http.body", "")) else None


def _port(number: int) -> Callable[[Observation], str | None]:
    def select(obs: Observation) -> str | None:
        return "tcp.open" if obs.kind == "tcp.open" and obs.port == number else None

    return select


def _cleartext(obs: Observation) -> str | None:
    plain = obs.kind == "http.response" and obs.fields.get("http.tls") != "true"
    return "http.status" if plain and obs.fields.get("http.status") else None


def _rtsp_open(obs: Observation) -> str | None:
    describe = obs.kind == "rtsp.response" and obs.fields.get("rtsp.method") == "DESCRIBE"
    return "rtsp.status" if describe and obs.fields.get("rtsp.status") == "200" else None


def _onvif_open(obs: Observation) -> str | None:
    answered = obs.kind == "onvif.device_information" and "onvif.fault" not in obs.fields
    return next((k for k in ("onvif.Manufacturer", "onvif.Model") if answered and obs.fields.get(k)), None)


RULES: tuple[Rule, ...] = (
    Rule(
        "exposure-hik-connect-enabled",
        Severity.MEDIUM,
        "Hik-Connect / EZVIZ cloud P2P is enabled (the device keeps a link to the vendor cloud)",
        "Disable Platform Access (Hik-Connect) unless it is needed; if it is, block it at the firewall "
        "and monitor the traffic to the vendor cloud.",
        ("https://www.hikvision.com/en/support/cybersecurity/security-advisory/",),
        lambda o: _field(o, "sadp.reply", "sadp.HCPlatformEnable", "true"),
    ),
    Rule(
        "exposure-not-activated",
        Severity.HIGH,
        "The device is not activated: no admin password is set, anyone on the network can set one",
        "Activate the device with a strong password now (SADP tool or web UI), from a trusted host.",
        (
            "https://www.hikvision.com/sg/support/cybersecurity/security-advisory/defense-against-nvr-dvr-scripted-application/",
        ),
        _activate_status,
    ),
    Rule(
        "exposure-upnp",
        Severity.LOW,
        "A UPnP stack answers (UPnP can open router ports to the internet without anyone noticing)",
        "Disable UPnP on the device and on the router.",
        ("https://openconnectivity.org/upnp-specs/UPnP-arch-DeviceArchitecture-v1.0-20081015.pdf",),
        _upnp,
    ),
    Rule(
        "exposure-telnet-open",
        Severity.HIGH,
        "Telnet (TCP 23) is open: cleartext logins, the first port Mirai-style botnets try",
        "Disable telnet on the device; block TCP 23 at the network edge.",
        ("https://github.com/jgamblin/Mirai-Source-Code/blob/master/mirai/bot/scanner.c",),
        _port(23),
    ),
    Rule(
        "exposure-ssh-open",
        Severity.MEDIUM,
        "SSH (TCP 22) is open on the device",
        "Disable SSH unless maintenance needs it, and restrict it to a management network.",
        ("https://www.hikvision.com/en/support/cybersecurity/security-advisory/",),
        _port(22),
    ),
    Rule(
        "exposure-http-cleartext",
        Severity.MEDIUM,
        "The web interface answers over HTTP without TLS (logins and video pass in cleartext)",
        "Enable HTTPS, disable plain HTTP, and restrict the web port to a management network.",
        ("https://www.rfc-editor.org/rfc/rfc9110#section-4.2.2",),
        _cleartext,
    ),
    Rule(
        "exposure-rtsp-no-auth",
        Severity.HIGH,
        "The RTSP stream is described without authentication (anyone can watch it)",
        "Require authentication for RTSP (Digest) and restrict port 554.",
        ("https://www.rfc-editor.org/rfc/rfc2326#section-10.2",),
        _rtsp_open,
    ),
    Rule(
        "exposure-onvif-no-auth",
        Severity.LOW,
        "ONVIF GetDeviceInformation is answered without authentication (model, firmware, serial leak)",
        "Enable ONVIF authentication (WS-UsernameToken/Digest) or disable ONVIF when unused.",
        ("https://www.onvif.org/specs/core/ONVIF-Core-Specification.pdf",),
        _onvif_open,
    ),
)


def _evidence(rule: Rule, obs: Observation, name: str) -> Evidence:
    value = obs.fields.get(name) or f"port {obs.port} open"
    return Evidence(
        obs.kind, name, value, rule.check_id, obs.source, obs.ip, obs.port, {"exposure": rule.check_id}, 1.0
    )


def _found(rule: Rule, observations: Iterable[Observation]) -> Finding | None:
    shown = [(o, f) for o in observations if (f := rule.select(o)) is not None]
    if not shown:
        return None
    evidence = tuple(_evidence(rule, o, f) for o, f in shown[:4])
    ports = sorted({str(o.port) for o, _ in shown if o.port is not None})
    details = {"observed": "true", "ports": ",".join(ports)} if ports else {"observed": "true"}
    return Finding(rule.check_id, FindingKind.EXPOSURE, rule.severity, rule.title, evidence,
                   rule.remediation, rule.references, False, "affected", details)  # fmt: skip


def internet_facing(device: Device, options: AssessOptions) -> Finding | None:
    """Reachable from the internet, where the user says an address is (we never test from outside)."""
    for ip in device.ips:
        net = next((n for n in options.internet_facing if ipaddress.ip_address(ip) in n), None)
        if net is not None:
            ev = Evidence("option", "internet_facing", str(net), "exposure-internet-facing", "option", ip)
            return Finding(
                "exposure-internet-facing", FindingKind.EXPOSURE, Severity.HIGH,
                "The device is reachable from the internet (address marked internet-facing)", (ev,),
                "Remove port forwards and public addresses; reach cameras through a VPN only.",
                ("https://www.cisa.gov/news-events/ics-advisories/icsa-17-124-01",), False, "affected",
                {"network": str(net)},
            )  # fmt: skip
    return None


@dataclass(frozen=True, slots=True)
class ExposureCheck:
    """Registry entry (see `camaudit.assess.Check`)."""

    id: str = ID

    def enabled(self, options: AssessOptions) -> bool:
        return True

    def applies_to(self, device: Device) -> bool:
        return bool(device.ips)

    async def run(self, device: Device, context: Context) -> Sequence[Finding]:
        observations = context.observations_for(device)
        found = [f for rule in RULES if (f := _found(rule, observations)) is not None]
        outside = internet_facing(device, context.options)
        return found + ([outside] if outside else [])


CHECK = ExposureCheck()
