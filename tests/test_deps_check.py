"""The offline dependency check (deps/check.py, `make audit-deps`): it reads real advisories right, and the
environment CI installed has no dependency with a known advisory in the shipped snapshot."""

from __future__ import annotations

import json
import sys
from pathlib import Path

DEPS = Path(__file__).resolve().parent.parent / "deps"
sys.path.insert(0, str(DEPS))
import check  # noqa: E402 (deps/ is not a package)

SNAPSHOT = json.loads((DEPS / "advisories.json").read_text(encoding="utf-8"))


def _ids(package: str, version: str) -> set[str]:
    return {hit.advisory for hit in check.check({package: version}, SNAPSHOT)}


def test_snapshot_is_whole_and_dated() -> None:
    assert SNAPSHOT["date"] and SNAPSHOT["commit"]
    assert sum(len(v) for v in SNAPSHOT["packages"].values()) > 2000


def test_a_fixed_range_ends_at_the_fix() -> None:
    # PYSEC-2022-43012 (CVE-2022-40897, ReDoS in package_index): setuptools before 65.5.1.
    assert "PYSEC-2022-43012" in _ids("setuptools", "65.5.0")
    assert "PYSEC-2022-43012" not in _ids("setuptools", "65.5.1")
    # PYSEC-2019-217 (CVE-2019-10906, sandbox escape): Jinja2 before 2.10.1; names compare as PEP 503.
    assert "PYSEC-2019-217" in _ids("Jinja2", "2.10")
    assert _ids("jinja2", "3.1.4").isdisjoint({"PYSEC-2019-217", "PYSEC-2014-8"})


def test_pre_releases_and_unknown_packages() -> None:
    assert "PYSEC-2022-43012" in _ids("setuptools", "65.5.1rc1")  # before the fix
    assert _ids("camaudit-no-such-package", "1.0") == set()
    assert _ids("setuptools", "not a version") == set()


def test_installed_dependencies_have_no_known_advisory() -> None:
    installed = check.installed_distributions()
    assert {"jinja2", "cryptography", "sqlalchemy", "pytest"} <= set(installed)
    hits = check.check(installed, SNAPSHOT)
    assert hits == [], "\n".join(f"{h.package} {h.version}: {h.advisory} fixed in {h.fixed}" for h in hits)
