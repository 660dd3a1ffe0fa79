"""Policy packs: every shipped pack loads and cites its sources; bad packs fail with file, line and key."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from camaudit.data.load import load_knowledge, load_vocabulary, parse_text
from camaudit.data.policies import (
    Requirement,
    builtin_packs,
    load_policy_vocab,
    parse_pack,
    parse_vendor_groups,
    read_pack_file,
    select_packs,
)
from camaudit.errors import DataFileError

SHIPPED = {
    "US-NDAA-889",
    "US-FCC-COVERED",
    "UK-CO-SENSITIVE-SITES-2022",
    "TW-GOV-REMOVAL",
    "AU-DEFENCE-2023",
    "US-LA",
    "KEV-PATCHING",
}

GOOD = """\
schema: camaudit.policy/1
id: MY-PACK
name: my pack
binds:
  text: us
  any_of: [federal_contractor]
vendors: [hikvision_group]
severity: high
requires:
  - kind: remove_by
    by: 2030-01-01
    text: remove it
    source: https://example.org/rule
sources:
  - https://example.org/rule
"""


def test_every_shipped_pack_loads_with_public_sources() -> None:
    packs = builtin_packs()
    assert set(packs) == SHIPPED
    for pack in packs.values():
        assert pack.sources and all(re.match(r"https?://", s) for s in pack.sources), pack.id
        assert all(ob.source.startswith("http") for ob in pack.requires), pack.id
        assert pack.binds_text


def test_ndaa_pack_has_both_prohibitions_and_the_far_reporting_clock() -> None:
    pack = builtin_packs()["US-NDAA-889"]
    kinds = {ob.kind: ob.since for ob in pack.requires}
    assert kinds == {
        Requirement.NO_PROCUREMENT: dt.date(2019, 8, 13),
        Requirement.NO_USE: dt.date(2020, 8, 13),
    }
    assert pack.reporting is not None
    assert (pack.reporting.report_business_days, pack.reporting.mitigation_business_days) == (1, 10)


def test_taiwan_deadline_and_uk_sensitive_site_requirements() -> None:
    tw = builtin_packs()["TW-GOV-REMOVAL"]
    assert [ob.by for ob in tw.requires] == [dt.date(2021, 12, 31)]
    uk = builtin_packs()["UK-CO-SENSITIVE-SITES-2022"]
    assert {ob.kind for ob in uk.requires} == {Requirement.NO_SENSITIVE_SITE, Requirement.NOT_ON_CORE_NETWORK}
    assert uk.vendors == ("prc_headquartered",)


def test_vendor_groups_use_the_manufacturer_vocabulary_and_rebrands_come_from_oem_table() -> None:
    vocab = load_policy_vocab()
    makers = load_vocabulary().manufacturers
    for group in vocab.groups.values():
        assert group.manufacturers <= set(makers), group.id
    # Brands made for others are not a second list: oem.yaml maps them to a member manufacturer.
    oem = load_knowledge().oem
    for brand in ("lorex", "amcrest", "imou"):
        link = oem.maker_of(brand)
        assert link is not None and link.manufacturer in vocab.groups["dahua_group"].manufacturers
    for brand in ("lts", "annke", "ezviz", "hiwatch"):
        link = oem.maker_of(brand)
        assert link is not None and link.manufacturer in vocab.groups["hikvision_group"].manufacturers
    assert "uniview" in vocab.groups["prc_headquartered"].manufacturers
    assert (
        "uniview"
        not in vocab.groups["hikvision_group"].manufacturers | vocab.groups["dahua_group"].manufacturers
    )


def _fails(text: str, match: str) -> None:
    with pytest.raises(DataFileError, match=match):
        parse_pack(parse_text(text, "my.yaml"))


def test_a_good_user_pack_parses() -> None:
    pack = parse_pack(parse_text(GOOD, "my.yaml"))
    assert pack.id == "MY-PACK" and pack.requires[0].by == dt.date(2030, 1, 1)


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        (
            "vendors: [hikvision_group]",
            "vendors: [huawei_group]",
            r"^my\.yaml:7: vendors\.0: unknown name 'huawei_group'",
        ),
        ("name: my pack", "name: my pack\njurisdiction: XX", r"^my\.yaml:4: jurisdiction: unknown name 'XX'"),
        (
            "  any_of: [federal_contractor]",
            "  any_of: [contractor]",
            r"^my\.yaml:6: binds\.any_of\.0: unknown name",
        ),
        ("severity: high", "severity: high\ncolour: red", r"^my\.yaml:9: colour: unknown key"),
        ("    by: 2030-01-01\n", "", r"^my\.yaml:10: requires\.0: a remove_by requirement needs 'by'"),
        ("by: 2030-01-01", "by: soon", r"^my\.yaml:11: requires\.0\.by: must be a date"),
        (
            "kind: remove_by",
            "kind: ban_forever",
            r"^my\.yaml:10: requires\.0\.kind: 'ban_forever' is not one of",
        ),
        ("severity: high", "severity: huge", r"^my\.yaml:8: severity: 'huge' is not one of"),
        (
            "    source: https://example.org/rule",
            "    source: a friend",
            r"^my\.yaml:13: requires\.0\.source: must be the URL",
        ),
        ("id: MY-PACK", "id: my pack", r"^my\.yaml:2: id: pack ids are upper-case"),
    ],
)
def test_bad_packs_name_file_line_and_key(old: str, new: str, match: str) -> None:
    assert old in GOOD
    _fails(GOOD.replace(old, new), match)


def test_unknown_manufacturer_in_a_vendor_group_is_rejected() -> None:
    text = (
        "schema: camaudit.vocab.vendor_groups/1\nsources: [x]\n"
        "groups:\n  g:\n    name: G\n    manufacturers: [acme]\n"
    )
    with pytest.raises(DataFileError, match=r"^vg\.yaml:6: groups\.g\.manufacturers\.0: unknown name 'acme'"):
        parse_vendor_groups(parse_text(text, "vg.yaml"), load_vocabulary().manufacturers)


def test_user_pack_file_and_selection(tmp_path: Path) -> None:
    path = tmp_path / "kev30.yaml"
    path.write_text(GOOD.replace("MY-PACK", "KEV-30-DAYS"), encoding="utf-8")
    packs = select_packs(["US-NDAA-889"], [path])
    assert [p.id for p in packs] == ["US-NDAA-889", "KEV-30-DAYS"]
    assert read_pack_file(path).file == str(path)
    with pytest.raises(DataFileError, match="unknown pack 'US-NOPE'"):
        select_packs(["US-NOPE"])
    clash = tmp_path / "clash.yaml"
    clash.write_text(GOOD.replace("MY-PACK", "US-LA"), encoding="utf-8")
    with pytest.raises(DataFileError, match="already in use"):
        select_packs(["US-LA"], [clash])


def test_unreadable_or_truncated_pack_is_an_error_not_a_half_pack(tmp_path: Path) -> None:
    path = tmp_path / "half.yaml"
    path.write_text(GOOD.split("requires:")[0] + "sources: [https://example.org/rule]\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="missing required key 'requires'"):
        read_pack_file(path)
    with pytest.raises(DataFileError, match="cannot read pack"):
        read_pack_file(tmp_path / "absent.yaml")
