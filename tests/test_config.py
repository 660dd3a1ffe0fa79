"""camaudit.toml: organisation facts, sites, packs; malformed files name file, line and key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from camaudit.config import Config, ConfigError, load_config, parse_config, with_sites
from camaudit.errors import InputError

GOOD = """\
[organisation]
name = "Example Agency"
jurisdictions = ["US-LA", "UK"]
sector = "central_government"
federal_contractor = true
uk_central_government = false
purposes = ["government_facility_security"]
removal_deadline = 2026-06-30

[networks]
internal = ["10.0.0.0/8"]
core = ["10.1.0.0/16"]

[egress]
allowed_countries = ["US", "GB"]

[packs]
enabled = ["US-NDAA-889", "KEV-PATCHING"]
files = ["packs/kev30.yaml"]

[[sites]]
name = "HQ"
networks = ["10.1.0.0/16"]
sensitive = true

[[sites]]
name = "Depot"
networks = ["10.2.0.0/16", "fd00::/64"]
purposes = ["premises_security"]
deadline = 2025-12-31
"""


def test_a_full_config_parses() -> None:
    config = parse_config(GOOD, "camaudit.toml", Path("/etc/camaudit"))
    assert config.name == "Example Agency"
    assert config.fact("federal_contractor") is True
    assert config.fact("uk_central_government") is False
    assert config.fact("federal_grantee") is None  # undeclared stays unknown
    assert config.places() == {"US-LA", "US", "UK"}
    assert config.allowed_countries == {"US", "GB"}
    assert config.packs == ("US-NDAA-889", "KEV-PATCHING")
    assert config.pack_files == (Path("/etc/camaudit/packs/kev30.yaml"),)
    assert config.removal_deadline == dt.date(2026, 6, 30)
    hq, depot = config.sites
    assert (hq.sensitive, hq.purposes, hq.deadline) == (True, None, None)
    assert (depot.sensitive, depot.purposes, depot.deadline) == (
        None,
        ("premises_security",),
        dt.date(2025, 12, 31),
    )


def test_sites_by_address_and_name() -> None:
    config = parse_config(GOOD, "camaudit.toml")
    assert config.site_of("10.1.2.3") is config.sites[0]
    assert config.site_of("fd00::5") is config.sites[1]
    assert config.site_of("192.0.2.1") is None
    assert config.site_of("not an address") is None
    assert with_sites(config, ["Depot"]) == (config.sites[1],)
    with pytest.raises(ConfigError, match="no site named 'Annex'"):
        with_sites(config, ["Annex"])


def test_defaults_declare_nothing() -> None:
    config = Config()
    assert config.fact("federal_contractor") is None
    assert config.core_networks is None and config.allowed_countries is None and config.sites == ()


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        (
            'sector = "central_government"',
            'sector = "banking"',
            r"^c\.toml:4: organisation\.sector: unknown sector",
        ),
        (  # fuzz/corpus/camaudit_toml/crash-adab9e…: a list here was a TypeError (unhashable)
            'sector = "central_government"',
            'sector = ["10.1.0.0/16"]',
            r"^c\.toml:4: organisation\.sector: must be a string",
        ),
        (
            'jurisdictions = ["US-LA", "UK"]',
            'jurisdictions = ["US-LA", "Mars"]',
            r"^c\.toml:3: organisation\.jurisdictions: unknown name 'Mars'",
        ),
        (
            "federal_contractor = true",
            'federal_contractor = "yes"',
            r"^c\.toml:5: organisation\.federal_contractor: must be true or false",
        ),
        (
            "federal_contractor = true",
            "federal_contracter = true",
            r"^c\.toml:5: organisation\.federal_contracter: unknown key",
        ),
        (
            'core = ["10.1.0.0/16"]',
            'core = ["10.1.0.0/33"]',
            r"^c\.toml:12: networks\.core\.0: '10\.1\.0\.0/33' is not an address",
        ),
        (
            'allowed_countries = ["US", "GB"]',
            'allowed_countries = ["USA"]',
            r"^c\.toml:15: egress\.allowed_countries: 'USA' is not an ISO",
        ),
        (
            'enabled = ["US-NDAA-889", "KEV-PATCHING"]',
            'enabled = ["US-NDAA-888"]',
            r"^c\.toml:18: packs\.enabled: unknown name 'US-NDAA-888'",
        ),
        (
            'purposes = ["premises_security"]',
            'purposes = ["spying"]',
            r"^c\.toml:29: sites\.1\.purposes: unknown name 'spying'",
        ),
        (
            "sensitive = true",
            'sensitive = "very"',
            r"^c\.toml:24: sites\.0\.sensitive: must be true or false",
        ),
        (
            "deadline = 2025-12-31",
            'deadline = "soon"',
            r"^c\.toml:30: sites\.1\.deadline: must be a TOML date",
        ),
        ('name = "Depot"', 'name = "HQ"', r"^c\.toml:27: sites\.1\.name: duplicate site name 'HQ'"),
        ("[egress]", "[egres]", r"^c\.toml:14: egres: unknown table"),
        ('name = "HQ"\n', 'name = "HQ"\nfloor = 3\n', r"^c\.toml:23: sites\.0\.floor: unknown key"),
        (
            "removal_deadline = 2026-06-30",
            "removal_deadline = 2026-06-31",
            r"^c\.toml:8: <file>: not valid TOML",
        ),
    ],
)
def test_bad_configs_name_file_line_and_key(old: str, new: str, match: str) -> None:
    assert old in GOOD
    with pytest.raises(ConfigError, match=match) as caught:
        parse_config(GOOD.replace(old, new, 1), "c.toml")
    assert isinstance(caught.value, InputError)  # the CLI turns these into one line and exit 2


def test_load_config_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "camaudit.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_config(path).pack_files == (tmp_path / "packs" / "kev30.yaml",)
    with pytest.raises(ConfigError, match=r"missing.toml: no such file \(`camaudit init` writes"):
        load_config(tmp_path / "missing.toml")
    path.write_bytes(b"\xff\xfe[organisation]")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(path)


def test_the_template_camaudit_init_writes_parses_and_declares_nothing_but_a_name() -> None:
    from camaudit.config import template_text

    config = parse_config(template_text(), "camaudit.toml")
    assert config.name == "Your organisation"
    assert (config.jurisdictions, config.facts, config.sites, config.register_db) == ((), {}, (), None)
    text = template_text()
    for table in ("[organisation]", "[networks]", "[egress]", "[packs]", "[[sites]]", "[register]"):
        assert table in text


def test_register_db_is_relative_to_the_file_or_a_url(tmp_path: Path) -> None:
    relative = parse_config('[register]\ndb = "a.sqlite"\n', "c", tmp_path)
    assert relative.register_db == str(tmp_path / "a.sqlite")
    url = "postgresql+psycopg://u@h/db"
    assert parse_config(f'[register]\ndb = "{url}"\n', "c", tmp_path).register_db == url
    with pytest.raises(ConfigError, match=r"register\.db"):
        parse_config("[register]\ndb = 3\n", "c")
