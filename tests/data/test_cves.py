"""The CVE knowledge: every CVE the issue lists, sourced and complete; bad files name file and line."""

from __future__ import annotations

import pytest

from camaudit.data.cves import load_cves, parse_cve_text
from camaudit.errors import DataFileError
from camaudit.values import parse_firmware

REQUIRED = {
    "CVE-2017-7921",
    "CVE-2017-7923",
    "CVE-2021-36260",
    "CVE-2013-4975",
    "CVE-2022-28171",
    "CVE-2023-6895",
    "CVE-2021-33044",
    "CVE-2021-33045",
    "CVE-2017-7925",
    "CVE-2017-7927",
    "CVE-2013-6117",
    "CVE-2020-5735",
}
CISA_KEV = {"CVE-2021-36260", "CVE-2017-7921", "CVE-2021-33044", "CVE-2021-33045", "CVE-2020-5735"}

GOOD = """
schema: camaudit.cves/1
sources: [test]
cves:
  CVE-2099-0001:
    title: t
    manufacturer: hikvision
    severity: high
    kev: {vulncheck: false}
    affected:
      - {product: p, model: '^DS-', firmware: [{from: "V5.2.0 build 140721", before: "V5.4.0"}]}
    check: null
    remediation: r
    references: [https://example.org/advisory]
"""


def test_every_listed_cve_is_there_with_its_kev_flag() -> None:
    cves = {c.id: c for c in load_cves()}
    assert set(cves) >= REQUIRED
    assert {c.id for c in cves.values() if c.kev.cisa} == CISA_KEV
    assert all(
        c.kev.cisa_due and c.kev.cisa_due > c.kev.cisa_added for c in cves.values() if c.kev.cisa_added
    )


def test_entries_are_sourced_and_only_makers_are_matched() -> None:
    for cve in load_cves():
        assert cve.references and cve.remediation and cve.affected
        assert cve.manufacturer in {"hikvision", "dahua"}  # OEM brands inherit, never matched by brand


def test_cvss_vectors_agree_with_their_version() -> None:
    for cve in load_cves():
        if cve.cvss is not None:
            assert cve.cvss.vector.startswith(f"CVSS:{cve.cvss.version}/")


def test_a_good_file_parses_with_bounds() -> None:
    (cve,) = parse_cve_text(GOOD, "user.yaml")
    (rng,) = cve.affected[0].ranges
    assert rng.low_inclusive and not rng.high_inclusive
    assert rng.low == parse_firmware("V5.2.0 build 140721")


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("CVE-2099-0001:", "CVE-99:", "user.yaml:6: cves.CVE-99"),
        ("manufacturer: hikvision", "manufacturer: acme", "user.yaml:7: cves.CVE-2099-0001.manufacturer"),
        (
            'before: "V5.4.0"',
            'before: "five"',
            "user.yaml:11: cves.CVE-2099-0001.affected.0.firmware.0.before",
        ),
        ('before: "V5.4.0"', 'to: "V5.4.0", before: "V5.4.1"', "use 'to' or 'before'"),
        ("model: '^DS-'", "model: '^DS-('", "regex does not compile"),
        ("references: [https://example.org/advisory]", "references: [somewhere]", "public advisory"),
        ("severity: high", "severity: dire", "user.yaml:8: cves.CVE-2099-0001.severity"),
        ("    check: null\n", "    check: null\n    exploit: true\n", "unknown key"),
    ],
)
def test_malformed_files_name_file_line_and_key(old: str, new: str, where: str) -> None:
    with pytest.raises(DataFileError, match=where.replace(".", r"\.").replace("(", r"\(")):
        parse_cve_text(GOOD.replace(old, new), "user.yaml")
