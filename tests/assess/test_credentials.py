"""The --credentials TOML file: parsing, most specific target wins, errors name file and line and
never the secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from camaudit.assess.credentials import load_credentials, parse_credentials
from camaudit.errors import CredentialsError
from camaudit.model import Device

SECRET = "Zq8-never-echo-4471"

GOOD = f"""
# the owner's accounts
[[credentials]]
target = "brand:hikvision"
username = "auditor"
password_env = "CAM_AUDIT_PW"

[[credentials]]
target = "192.0.2.0/24"
username = "net24"
password = "{SECRET}"

[[credentials]]
target = "192.0.2.0/28"
username = "net28"
password = "{SECRET}"

[[credentials]]
target = "192.0.2.7"
username = "exact"
password = "{SECRET}"

[[credentials]]
target = "brand:annke"
username = "annke-label"
password = "{SECRET}"
"""
ENV = {"CAM_AUDIT_PW": SECRET}


def _device(ip: str, manufacturer: str | None = None, brand: str | None = None) -> Device:
    return Device(ips=(ip,), manufacturer=manufacturer, brand=brand)


def test_most_specific_target_wins() -> None:
    creds = parse_credentials(GOOD, "creds.toml", ENV)
    assert len(creds) == 5
    pick = {
        "192.0.2.7": "exact",
        "192.0.2.9": "net28",
        "192.0.2.200": "net24",
    }
    for ip, username in pick.items():
        found = creds.for_device(_device(ip, "hikvision", "hikvision"))
        assert found is not None and found.username == username, ip
    hik = creds.for_device(_device("198.51.100.1", "hikvision", "hikvision"))
    annke = creds.for_device(_device("198.51.100.2", "hikvision", "annke"))  # made by Hikvision
    assert hik is not None and hik.username == "auditor" and hik.password == SECRET
    assert annke is not None and annke.username == "annke-label"  # the label brand beats the maker
    assert creds.for_device(_device("198.51.100.3", "dahua", "dahua")) is None


def test_the_password_never_shows_in_repr_or_str() -> None:
    creds = parse_credentials(GOOD, "creds.toml", ENV)
    for text in (repr(creds), str(creds), repr(creds.entries[0]), str(creds.entries[1])):
        assert SECRET not in text


ENTRY = '[[credentials]]\ntarget = "10.0.0.1"\nusername = "a"\n'
PW = f'password = "{SECRET}"\n'
BAD = [
    ("not toml", f'[[credentials]]\ntarget = "brand:hikvision"\npassword = "{SECRET}\n', 3, "not valid TOML"),
    ("unknown key", f'{ENTRY}pasword = "{SECRET}"\n', 4, "unknown key"),
    ("both secrets", f'{ENTRY}{PW}password_env = "X"\n', 4, "exactly one"),
    ("bad target", f'\n\n[[credentials]]\nusername = "a"\ntarget = "10.0.0.300"\n{PW}', 5, "target"),
    ("missing username", f'[[credentials]]\ntarget = "10.0.0.1"\n{PW}', 1, "username"),
    ("unset env", f'{ENTRY}password_env = "NOPE_NOT_SET"\n', 4, "NOPE_NOT_SET"),
    (
        "second entry",
        f'{ENTRY}{PW}\n[[credentials]]\ntarget = "brand:{SECRET.lower()}!"\nusername = "b"\n{PW}',
        7,
        "target",
    ),
    ("no entries", PW, 1, "unknown top-level"),
]


@pytest.mark.parametrize(("name", "text", "line", "message"), BAD, ids=[b[0] for b in BAD])
def test_malformed_files_name_file_and_line_never_the_secret(
    name: str, text: str, line: int, message: str
) -> None:
    with pytest.raises(CredentialsError) as caught:
        parse_credentials(text, "site/creds.toml", {})
    text_of_error = str(caught.value)
    assert text_of_error.startswith(f"site/creds.toml:{line}: "), text_of_error
    assert message in text_of_error
    assert SECRET not in text_of_error and SECRET.lower() not in text_of_error


def test_load_reads_a_file_and_refuses_binary_and_huge_files(tmp_path: Path) -> None:
    path = tmp_path / "creds.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert len(load_credentials(path, ENV)) == 5
    path.write_bytes(b'[[credentials]]\ntarget = "\xff"\n')
    with pytest.raises(CredentialsError, match=r"creds.toml:2: not UTF-8"):
        load_credentials(path, ENV)
    path.write_bytes(b"#" * (300 * 1024))
    with pytest.raises(CredentialsError, match="larger than"):
        load_credentials(path, ENV)
    with pytest.raises(CredentialsError, match="cannot read"):
        load_credentials(tmp_path / "missing.toml", ENV)
