from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from camaudit.errors import DataFileError
from camaudit.lab.profile import (
    DEVICE_TYPES,
    MANUFACTURERS,
    PROFILE_DIR,
    load_profile,
    load_profiles,
    profile_paths,
)

REQUIRED = {
    "hikvision-ipc", "hikvision-nvr", "hikvision-ipc-cve-2017-7921", "ezviz-camera", "lts-ipc", "annke-ipc",
    "dahua-ipc", "dahua-nvr", "dahua-ipc-cve-2021-33044", "lorex-ipc", "amcrest-ipc", "axis-camera",
    "bosch-camera", "hanwha-camera", "uniview-camera", "plain-webserver", "printer", "liar",
    "hostile-huge-banner", "hostile-slowloris", "hostile-script", "hostile-bad-xml",
}  # fmt: skip


def test_every_required_profile_exists() -> None:
    assert {p.id for p in load_profiles()} >= REQUIRED


@pytest.mark.parametrize("path", profile_paths(), ids=lambda p: p.stem)
def test_profile_loads_and_is_sourced(path: Path) -> None:
    profile = load_profile(path)
    assert profile.sources and all(len(s) > 10 for s in profile.sources)
    assert profile.services
    assert int(profile.mac[:2], 16) & 1 == 0  # a unicast MAC
    e = profile.expected
    assert e.manufacturer is None or e.manufacturer in MANUFACTURERS
    assert e.device_type is None or e.device_type in DEVICE_TYPES


def test_vendor_profiles_use_a_real_oui_and_hostiles_a_local_one() -> None:
    for profile in load_profiles():
        local = int(profile.mac[:2], 16) & 2 == 2
        made_up = profile.id == "liar" or profile.id.startswith("hostile-")
        assert local == made_up, profile.id


def _write(tmp_path: Path, text: str, name: str = "bad-one") -> Path:
    good = (PROFILE_DIR / "plain-webserver.yaml").read_text().replace("id: plain-webserver", f"id: {name}")
    path = tmp_path / f"{name}.yaml"
    path.write_text(good + text)
    return path


def test_unknown_top_level_key_names_file_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, "surprise: 1\n")
    with pytest.raises(DataFileError, match=r"bad-one\.yaml: surprise: unknown key"):
        load_profile(path)


def test_unknown_nested_key_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "")
    path.write_text(path.read_text().replace("    routes:\n", "    routs: {}\n    routes:\n", 1))
    with pytest.raises(DataFileError, match=r"services\.80/tcp\.routs: unknown key"):
        load_profile(path)


def test_missing_sources_and_bad_vocabulary_are_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "")
    text = path.read_text()
    path.write_text(text.replace("device_type: web_server", "device_type: toaster"))
    with pytest.raises(DataFileError, match="toaster"):
        load_profile(path)
    start = text.index("sources:")
    path.write_text(text[:start] + "sources: []\n" + text[text.index("mac:") :])
    with pytest.raises(DataFileError, match="sources"):
        load_profile(path)


def _mdns(service: str) -> str:
    return f"  5353/udp: {{protocol: mdns, services: [{{{service}}}]}}\n"


@pytest.mark.parametrize(
    ("service", "error"),
    [
        ('  1900/udp: {protocol: ssdp, replies: [["LOCATION: http://x/"]]}\n', "needs an ST header"),
        ("  1900/udp: {protocol: ssdp, replies: []}\n", "non-empty list"),
        ('  1900/udp: {protocol: ssdp, replies: [["STupnp"]]}\n', "Name: value"),
        ('  1900/tcp: {protocol: ssdp, replies: [["ST: x"]]}\n', "runs over udp"),
        (_mdns("type: camera.local, instance: a, host: h.local, port: 80"), "DNS-SD service type"),
        (_mdns("type: _http._tcp.local, instance: a, host: h.local, port: 0"), "port 1-65535"),
        (_mdns("type: _http._tcp.local, instance: a, host: '', port: 80"), "not a DNS name"),
        (_mdns("type: _http._tcp.local, instance: a, host: h, port: 80, x: 1"), "unknown key"),
        ("  81/tcp: {protocol: raw, behaviour: rotate}\n", "takes 1..16 replies"),
        ("  81/tcp: {protocol: raw, behaviour: silent, replies: [a]}\n", "takes 1..16 replies"),
        ("  81/tcp: {protocol: raw, behaviour: reset}\n", "start of a reply"),
        ("  81/tcp: {protocol: raw, behaviour: explode}\n", "must be one of"),
    ],
)
def test_bad_discovery_services_are_rejected(tmp_path: Path, service: str, error: str) -> None:
    path = _write(tmp_path, service)
    with pytest.raises(DataFileError, match=error):
        load_profile(path)


def test_discovery_services_load(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '  1900/udp: {protocol: ssdp, replies: [["ST: upnp:rootdevice", "LOCATION: http://{address}/d.xml"]]}\n'
        + _mdns("type: _http._tcp.local, instance: a, host: h.local, port: 80, txt: {k: v}"),
    )
    services = {s.key: s.spec for s in load_profile(path).services}
    assert services["1900/udp"].replies == (
        (("ST", "upnp:rootdevice"), ("LOCATION", "http://{address}/d.xml")),
    )
    assert services["5353/udp"].services[0].txt == (("k", "v"),)


def test_id_must_equal_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "")
    path.rename(tmp_path / "other.yaml")
    with pytest.raises(DataFileError, match="equal the file name"):
        load_profile(tmp_path / "other.yaml")


def test_unknown_profile_id_is_an_error() -> None:
    with pytest.raises(DataFileError, match="no-such-device"):
        load_profiles(["no-such-device"])


def test_lab_never_imports_the_detector() -> None:
    # A lab that borrows identify/assess knowledge proves nothing (lab.md).
    lab_dir = PROFILE_DIR.parent
    for source in lab_dir.rglob("*.py"):
        text = source.read_text()
        for banned in ("camaudit.identify", "camaudit.assess", "data.fingerprints", "data/fingerprints"):
            assert banned not in text, f"{source} mentions {banned}"


def test_addresses_in_manifest_follow_sorted_profile_order() -> None:
    from camaudit.lab.runner import Lab

    lab = Lab(["printer", "axis-camera"], network="127.99.1.0/24")
    entries = lab.manifest()
    assert [e["profile"] for e in entries] == ["axis-camera", "printer"]
    assert [ipaddress.ip_address(e["address"]) for e in entries] == [
        ipaddress.ip_address("127.99.1.1"),
        ipaddress.ip_address("127.99.1.2"),
    ]
