"""The draft impact assessment: exactly the enabled capabilities, blanks for people, inert device strings.

The end-to-end test runs a real authenticated audit (`camaudit scan --credentials`) of the lab devices
that serve analytics settings into a register, so "enabled" comes from the authenticated checks'
findings (``auth.analytics.*``) as the register keeps them, not from a hand-built fixture.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import start_lab

from camaudit.cli import _register, cli
from camaudit.config import Config, parse_config
from camaudit.data.capabilities import Capability
from camaudit.lab.runner import Lab
from camaudit.model import Device, Finding, FindingKind, Observation, Severity, Transport
from camaudit.policy.privacy import capabilities, survey
from camaudit.report.dpia import EVIDENCED, PERSON, code_checklist, group_sites, md, nz_checklist, render

PROFILES = ["dahua-ipc-default-password", "hikvision-nvr-lockout", "axis-camera", "hostile-script"]
NVR_PASSWORD = "Owner-Set-9vQ2-lab"  # set in the lockout NVR's lab profile
# What the two profiles' read-only analytics endpoints say is switched on (people counting is off).
ENABLED = {
    "dahua-ipc-default-password": {"face capture", "audio recording"},
    "hikvision-nvr-lockout": {"face capture", "audio recording"},
}


def _read(ip: str, **analytics: str) -> Observation:
    fields = {f"auth.analytics.{k}": v for k, v in analytics.items()}
    return Observation("auth:isapi", ip, 80, Transport.TCP, "http", "auth.read", fields)


def test_enabled_comes_only_from_authenticated_reads() -> None:
    doorbell = Device(ips=("10.0.0.2",), manufacturer="hikvision", brand="ezviz", device_type="doorbell")
    caps = capabilities(doorbell)
    assert caps.present == {Capability.AUDIO_RECORDING} and caps.enabled == frozenset() and not caps.read
    assert caps.unknown == {Capability.AUDIO_RECORDING}
    read = capabilities(
        doorbell,
        [_read("10.0.0.2", audio="disabled", face_capture="enabled"), _read("10.9.9.9", anpr="enabled")],
    )
    assert read.enabled == {Capability.FACE_CAPTURE} and read.disabled == {Capability.AUDIO_RECORDING}
    assert read.unknown == frozenset() and read.read


def test_markdown_is_inert_for_hostile_device_strings() -> None:
    assert md("<script>alert(1)</script>") == r"\<script\>alert\(1\)\</script\>"
    assert md("a | b\n## heading") == r"a \| b \#\# heading"
    assert md(None) == "-"
    hostile = Device(ips=("10.0.0.3",), manufacturer="hikvision", model="<img src=x onerror=1>|x")
    (site,) = group_sites(survey([hostile]), Config())
    text = render(site)
    assert re.search(r"(?<!\\)<", text) is None and r"\<img src=x onerror=1\>\|x" in text


def test_checklists_mark_evidence_and_people() -> None:
    ip = "10.0.0.4"
    kev = Finding("cve-2021-33044", FindingKind.VULNERABILITY, Severity.CRITICAL, "x", status="affected")
    cred = Finding("default-credentials", FindingKind.CREDENTIAL, Severity.CRITICAL, "y")
    device = Device(ips=(ip,), manufacturer="dahua", findings=(kev, cred))
    (site,) = group_sites(survey([device], [_read(ip, anpr="enabled", audio="enabled")]), Config())
    code = {row["number"]: row for row in code_checklist(site)}
    assert len(code) == 12
    assert code[9]["status"] == EVIDENCED and "2 security finding(s) to act on" in code[9]["evidence"]
    assert (
        code[12]["status"] == PERSON and "number-plate recognition (ANPR) on 10.0.0.4" in code[12]["evidence"]
    )
    assert all(code[n]["status"] == PERSON for n in (1, 3, 5, 6, 7, 8, 10, 11))
    nz = {row["text"]: row for row in nz_checklist(site)}
    sound = nz["no sound recording unless necessary; tell people if it is on"]
    assert sound["status"] == EVIDENCED and ip in sound["evidence"]
    assert nz["a privacy impact assessment before the cameras are installed"]["status"] == PERSON
    assert (
        "default credentials accepted on 10.0.0.4"
        in nz["storage secure, retention limited, access controlled"]["evidence"]
    )


@pytest.fixture(scope="module")
def analytics_lab() -> Iterator[Lab]:
    runner = start_lab(profiles=PROFILES)
    try:
        yield runner.lab
    finally:
        runner.stop()


def _enabled_section(text: str) -> dict[str, set[str]]:
    """capability -> addresses, from section 2's "Enabled" list."""
    block = text.split("Enabled (read from", 1)[1].split("Present but not read", 1)[0]
    found: dict[str, set[str]] = {}
    for label, ips in re.findall(r"^- \*\*(.+?)\*\* on (.+)$", block, re.MULTILINE):
        found[label] = set(ips.split(", "))
    return found


def test_the_lab_draft_lists_exactly_the_enabled_capabilities(analytics_lab: Lab, tmp_path: Path) -> None:
    where = {e["profile"]: e["address"] for e in analytics_lab.manifest()}
    creds = tmp_path / "creds.toml"
    creds.write_text(
        f'[[credentials]]\ntarget = "{where["hikvision-nvr-lockout"]}"\n'
        'username = "admin"\npassword_env = "NVR_PW"\n'
        f'[[credentials]]\ntarget = "{where["dahua-ipc-default-password"]}"\n'
        'username = "admin"\npassword_env = "IPC_PW"\n',
        encoding="utf-8",
    )
    db, scan_json = tmp_path / "register.sqlite", tmp_path / "scan.json"
    _register()
    scan = [
        "scan",
        *where.values(),
        "--rate",
        "2000",
        "--timeout",
        "1.5",
        "--credentials",
        str(creds),
        "--db",
        str(db),
        "--json",
        str(scan_json),
    ]
    result = CliRunner().invoke(cli, scan, env={"NVR_PW": NVR_PASSWORD, "IPC_PW": "admin"})
    assert result.exit_code == 0, result.output
    network = next(iter(where.values())).rsplit(".", 1)[0] + ".0/24"
    config = tmp_path / "camaudit.toml"
    config.write_text(f'[[sites]]\nname = "Lab HQ"\nnetworks = ["{network}"]\n', encoding="utf-8")
    out = tmp_path / "dpia"
    result = CliRunner().invoke(
        cli,
        [
            "policy",
            "--from-json",
            str(scan_json),
            "--config",
            str(config),
            "--pack",
            "US-FCC-COVERED",
            "--dpia",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = (out / "dpia-Lab_HQ.md").read_text(encoding="utf-8")
    want: dict[str, set[str]] = {}
    for profile, labels in ENABLED.items():
        for label in labels:
            want.setdefault(label, set()).add(where[profile])
    assert _enabled_section(text) == want
    assert "people counting" not in text.split("Present but not read", 1)[0]
    # Devices never read are named, the blanks for people are there, and no password leaked.
    assert (
        where["axis-camera"] in text.split("Devices whose analytics were never read:", 1)[1].splitlines()[0]
    )
    assert text.count("NEEDS A PERSON") >= 10
    assert "\\<script\\>" in text and re.search(r"(?<!\\)<", text) is None
    assert NVR_PASSWORD not in text
    parse_config(config.read_text(), "ok")  # the config used is itself valid
