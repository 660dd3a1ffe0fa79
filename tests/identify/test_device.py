"""Fusion of observations built from PUBLIC examples into Devices."""

from __future__ import annotations

from camaudit.identify import identify
from camaudit.model import Device, Observation, Transport


def obs(
    ip: str, kind: str, fields: dict[str, str], port: int | None = 80, mac: str | None = None
) -> Observation:
    protocol = kind.split(".")[0]
    transport = Transport.UDP if protocol in {"sadp", "dhip"} else Transport.TCP
    return Observation(f"probe:{protocol}", ip, port, transport, protocol, kind, fields, mac=mac)


def one(observations: list[Observation]) -> Device:
    devices = identify(observations)
    assert len(devices) == 1
    return devices[0]


def test_lorex_dhip_reply_is_dahua_made() -> None:
    # Lorex W461ASC DHIP reply (Rapid7, devices.md §2.1); MAC in Lorex's own OUI.
    device = one(
        [
            obs(
                "127.0.1.1",
                "dhip.reply",
                {
                    "dhip.DeviceClass": "IPC",
                    "dhip.DeviceType": "W461ASC",
                    "dhip.Vendor": "Lorex",
                    "dhip.Version": "2.800.030000000.3.R",
                    "dhip.mac": "00:1f:54:00:00:01",
                },
                port=37810,
            ),
        ]
    )
    assert (device.brand, device.manufacturer, device.model, device.firmware) == (
        "lorex",
        "dahua",
        "W461ASC",
        "2.800.030000000.3.R",
    )
    assert device.device_type == "ip_camera" and device.mac == "00:1f:54:00:00:01"
    assert device.confidence >= 0.9 and device.conflicts == ()
    assert any(ev.rule_id == "oui-lorex" for ev in device.evidence)


def test_real_vto_reply_with_general_vendor() -> None:
    # rroller/dahua VTO2000A discovery reply (shared/reference/dahua).
    device = one(
        [
            obs(
                "127.0.1.2",
                "dhip.reply",
                {
                    "dhip.DeviceClass": "VTO",
                    "dhip.DeviceType": "VTO2000A",
                    "dhip.Vendor": "General",
                    "dhip.SerialNo": "3C06520PAN00001",
                    "dhip.Version": "3.120.0000.0.R",
                },
                port=37810,
                mac="3c:ef:8c:41:6c:ce",
            ),
        ]
    )
    assert (device.manufacturer, device.brand, device.device_type) == ("dahua", "dahua", "intercom")
    assert (device.model, device.serial, device.firmware) == ("VTO2000A", "3C06520PAN00001", "3.120.0000.0.R")


def test_lorex_realm_alone_names_dahua_and_serial() -> None:
    # recog "Lorex NR900": Digest realm="Login to ND011811000000".
    device = one(
        [obs("127.0.1.3", "http.response", {"http.www_authenticate.realm": "Login to ND011811000000"})]
    )
    assert (device.manufacturer, device.serial) == ("dahua", "ND011811000000")


def test_hikvision_sadp_with_ezviz_label() -> None:
    # SADP fields (hikvision-tooling README serial) + EZVIZ's own OUI: brand ezviz, maker hikvision.
    device = one(
        [
            obs(
                "127.0.2.1",
                "sadp.reply",
                {
                    "sadp.DeviceDescription": "DS-2CD2042WD-I",
                    "sadp.DeviceSN": "DS-7616NI-I20123456789",
                    "sadp.SoftwareVersion": "V1.0build 200101",
                },
                port=37020,
            ),
            obs("127.0.2.1", "neighbour", {"mac.address": "20:bb:bc:00:00:01"}, port=None),
        ]
    )
    assert (device.brand, device.manufacturer) == ("ezviz", "hikvision")
    assert (device.model, device.firmware, device.serial) == (
        "DS-2CD2042WD-I",
        "V1.0 build 200101",  # SADP's spelling normalised to ISAPI's
        "DS-7616NI-I20123456789",
    )
    assert device.device_type == "ip_camera"  # from the DS-2CD model family


def test_groups_merge_on_shared_mac() -> None:
    devices = identify(
        [
            obs("127.0.3.1", "http.response", {"http.header.server": "DNVRS-Webs"}, mac="4c:bd:8f:11:22:33"),
            obs(
                "127.0.3.2",
                "rtsp.response",
                {"rtsp.www_authenticate.realm": "Hikvision"},
                port=554,
                mac="4C-BD-8F-11-22-33",
            ),
            obs("127.0.3.9", "tcp.open", {}, port=22),
        ]
    )
    assert [d.ips for d in devices] == [("127.0.3.1", "127.0.3.2"), ("127.0.3.9",)]
    assert devices[0].manufacturer == "hikvision" and devices[0].ports == (80, 554)
    assert devices[0].device_type == "nvr"
    assert devices[1].manufacturer is None and devices[1].device_type is None


DAHUA_HEADER_NAMES = "CONNECTION,Date,Last-Modified,Etag,CONTENT-LENGTH,P3P,X-Frame-Options,CONTENT-TYPE"


def test_dahua_web_ui_infers_build_date() -> None:
    # Dahua web UI style: upper-case headers, jsBase, "WEB SERVICE" title, Last-Modified.
    device = one(
        [
            obs(
                "127.0.4.1",
                "http.response",
                {
                    "http.header_names": DAHUA_HEADER_NAMES,
                    "http.title": "WEB SERVICE",
                    "http.body": '<script type="text/javascript" src="jsBase/lib/jquery.js">',
                    "http.last_modified": "Thu, 22 Nov 2018 16:32:26 GMT",
                },
            )
        ]
    )
    assert device.manufacturer == "dahua"
    assert (device.firmware, device.firmware_inferred) == ("build 2018-11-22", True)
    assert any(ev.inferred and ev.field == "http.last_modified" for ev in device.evidence)


LIAR_PAGES = {
    "/doc/page/login.asp": '<a href="/doc/page/login.asp?_">',
    "/RPC2_Login": 'src="jsBase/lib/jquery.js"',
    "/": 'xmlns="http://www.hikvision.com/ver20/XMLSchema"',
    "/favicon.ico": "",
}


def liar(ip: str, extra: list[Observation]) -> list[Observation]:
    pages = [
        obs(
            ip,
            "http.response",
            {
                "http.path_status": f"{path} 200",
                "http.body": body,
                "http.title": "WEB SERVICE",
                "http.catch_all": "true",
            },
        )
        for path, body in LIAR_PAGES.items()
    ]
    return pages + extra


def test_liar_pages_get_no_manufacturer() -> None:
    device = one(liar("127.0.9.1", []))
    assert device.manufacturer is None
    assert all(ev.confidence <= 0.2 for ev in device.evidence if ev.field.startswith("http."))


def test_liar_claiming_every_vendor_protocol_gets_no_manufacturer() -> None:
    extra = [
        obs(
            "127.0.9.2",
            "http.response",
            {"http.header.server": "App-webs/", "http.www_authenticate.realm": "Login to ND011811000000"},
        ),
        obs(
            "127.0.9.2",
            "rtsp.response",
            {"rtsp.header.server": "Dahua Rtsp Server", "rtsp.www_authenticate.realm": "Hikvision"},
            port=554,
        ),
        obs("127.0.9.2", "http.response", {"http.title": "AXIS", "http.catch_all": "true"}, port=8080),
    ]
    device = one(liar("127.0.9.2", extra))
    assert device.manufacturer is None
    assert any("dahua" in c for c in device.conflicts) or any("hikvision" in c for c in device.conflicts)


def test_nginx_default_page_is_not_a_camera() -> None:
    device = one(
        [
            obs(
                "127.0.5.1",
                "http.response",
                {"http.header.server": "nginx", "http.title": "Welcome to nginx!"},
            )
        ]
    )
    assert device.device_type == "web_server"
    assert device.manufacturer in (None, "nginx")  # the generic server id, never a camera maker


def test_hp_printer_is_a_printer() -> None:
    # node-hp-scan-to protocol notes: a real HP Officejet Server header.
    server = (
        "HP HTTP Server; HP Officejet 6500 E710n-z - CN557A; Serial Number: CN19K340MP05JW; "
        "Chianti_pp_usr_hf Built:Mon May 16, 2016 12:22:43PM {CIP1FN1621AR, ASIC id 0x001c2105}"
    )
    device = one([obs("127.0.5.2", "http.response", {"http.header.server": server})])
    assert (device.manufacturer, device.device_type) == ("hp", "printer")
    assert (device.model, device.serial) == ("HP Officejet 6500 E710n-z", "CN19K340MP05JW")


def test_conflicting_evidence_is_listed_but_strong_tell_wins() -> None:
    # An SADP reply (Hikvision firmware) from a box whose MAC is in a Dahua OUI.
    device = one(
        [
            obs(
                "127.0.6.1",
                "sadp.reply",
                {"sadp.DeviceDescription": "DS-2CD2042WD-I"},
                port=37020,
                mac="3c:ef:8c:00:00:01",
            ),
        ]
    )
    assert device.manufacturer == "hikvision"
    assert device.conflicts and "dahua" in device.conflicts[0]
    assert device.confidence < 0.95


def test_model_family_types_a_device_only_for_its_own_maker() -> None:
    from camaudit.identify.device import model_family

    assert model_family("NVR301-08S3-P8", "uniview", "127.0.0.1").claims["device_type"] == "nvr"
    assert model_family("NVR4108HS-4KS2/L", "dahua", "127.0.0.1").claims["device_type"] == "nvr"
    assert model_family("IPC2124LB-SF28KM-G", "dahua", "127.0.0.1") is None  # a Uniview name on Dahua
    assert model_family("DS-7616NI-I2", None, "127.0.0.1") is None


def test_contradictory_makers_conclude_nothing_but_keep_evidence() -> None:
    device = identify(
        [
            obs("127.0.3.1", "sadp.reply", {"sadp.DeviceDescription": "DS-2CD2042WD-I"}, port=37020),
            obs(
                "127.0.3.1",
                "dhip.reply",
                {"dhip.DeviceType": "IPC-HDW5421S", "dhip.Vendor": "Dahua"},
                port=37810,
            ),
        ]
    )[0]
    assert device.manufacturer is None and device.brand is None and device.model is None
    assert device.device_type is None and device.conflicts and device.evidence


def test_layer_2_mac_beats_a_claimed_one_and_the_lie_is_listed() -> None:
    device = identify(
        [
            obs(
                "127.0.4.1",
                "sadp.reply",
                {"sadp.DeviceDescription": "DS-2CD2042WD-I", "sadp.MAC": "00-1f-54-00-00-00"},
                port=37020,
            ),
            obs("127.0.4.1", "neighbour", {"mac.address": "44:19:b6:00:00:07"}, port=None),
        ]
    )[0]
    assert device.mac == "44:19:b6:00:00:07"
    assert any("claims 00:1f:54:00:00:00" in c for c in device.conflicts)


def test_hosts_claiming_the_same_mac_are_not_merged() -> None:
    claim = {"sadp.DeviceDescription": "DS-2CD2042WD-I", "sadp.MAC": "44-19-b6-00-00-08"}
    devices = identify(
        [obs("127.0.5.1", "sadp.reply", claim, port=37020), obs("127.0.5.2", "sadp.reply", claim, port=37020)]
    )
    assert [d.ips for d in devices] == [("127.0.5.1",), ("127.0.5.2",)]


def test_an_amcrest_serial_in_a_dahua_realm_names_the_label() -> None:
    # aiodahua's Amcrest camera serial (tests/test_brands.py) in Dahua's "Login to <serial>" realm.
    device = one(
        [
            obs(
                "127.0.7.1",
                "rtsp.response",
                {"rtsp.www_authenticate.realm": "Login to AMC04142ED468DC93B"},
                port=554,
            )
        ]
    )
    assert (device.brand, device.manufacturer, device.serial) == ("amcrest", "dahua", "AMC04142ED468DC93B")
    naming = [ev for ev in device.evidence if ev.rule_id == "amcrest-serial-prefix"]
    assert naming and naming[0].source == "serial:rtsp.www_authenticate.realm"
    assert device.confidence < 0.95  # the serial scheme counts with its realm, not as a second tell


def test_a_firmware_customisation_code_names_the_label() -> None:
    # Lorex E891AB firmware (aiodahua docs/hardware.md) in a DHIP reply; Amcrest IP5M-T1179E firmware
    # reported alone over ONVIF (a carrier that names no maker).
    lorex = one(
        [
            obs(
                "127.0.7.2",
                "dhip.reply",
                {"dhip.Vendor": "General", "dhip.Version": "2.622.00LR000.10.R"},
                port=37810,
            )
        ]
    )
    assert (lorex.brand, lorex.manufacturer, lorex.firmware) == ("lorex", "dahua", "2.622.00LR000.10.R")
    amcrest = one(
        [obs("127.0.7.3", "onvif.device_information", {"onvif.FirmwareVersion": "2.800.00AC001.0.R"})]
    )
    assert (amcrest.brand, amcrest.manufacturer) == ("amcrest", "dahua")


def test_a_serial_scheme_does_not_speak_for_another_makers_reply() -> None:
    # An HP Server header (node-hp-scan-to notes) whose serial happened to start like an Amcrest one.
    server = "HP HTTP Server; HP Officejet 6500 E710n-z - CN557A; Serial Number: AMC19K340MP05JW1; Built:Mon"
    device = one([obs("127.0.7.4", "http.response", {"http.header.server": server})])
    assert (device.manufacturer, device.brand) == ("hp", "hp")
    assert not any(ev.rule_id == "amcrest-serial-prefix" for ev in device.evidence)


def test_an_unopposed_label_survives_an_undecided_maker() -> None:
    # SUNBA ONVIF Manufacturer (easy_onvif test XML): its weak OEM link splits the maker vote, so no
    # maker is named, but the label is the device's own word.
    device = one([obs("127.0.7.5", "onvif.device_information", {"onvif.Manufacturer": "SUNBA"})])
    assert (device.manufacturer, device.brand) == (None, "sunba") and device.conflicts


def test_an_oem_label_beats_the_makers_own_name_of_equal_strength() -> None:
    # aiodahua docs/hardware.md: an Amcrest NV4108E-HS cross-flashed with generic Dahua firmware
    # answers getVendor "Dahua" and keeps its AMR serial (tests/test_brands.py's AMR serial here).
    device = one(
        [
            obs(
                "127.0.7.6",
                "http.response",
                {"http.path": "/cgi-bin/magicBox.cgi?action=getVendor", "http.body": "vendor=Dahua\r\n"},
            ),
            obs(
                "127.0.7.6",
                "rtsp.response",
                {"rtsp.www_authenticate.realm": "Login to AMR014207899855347"},
                port=554,
            ),
        ]
    )
    assert (device.manufacturer, device.brand) == ("dahua", "amcrest")
