"""Documentation cannot fall behind the code (datasette's test_docs pattern)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from camaudit.assess.checks import CHECKS
from camaudit.assess.verify import VERIFICATIONS
from camaudit.cli import _register, cli
from camaudit.data.cves import load_cves
from camaudit.data.policies import builtin_packs
from camaudit.sources.probes import PROBES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CHECKS_DOC = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
SRC = ROOT / "src" / "camaudit"


def _commands() -> list[str]:
    _register()
    return sorted(cli.commands)


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"camaudit {command}" in README


@pytest.mark.parametrize("check", [c.id for c in CHECKS] + [v.id for v in VERIFICATIONS])
def test_every_check_and_verification_is_documented(check: str) -> None:
    assert f"`{check}`" in CHECKS_DOC


@pytest.mark.parametrize("probe", [p.name for p in PROBES])
def test_every_probe_is_documented(probe: str) -> None:
    assert f"| `{probe}` |" in CHECKS_DOC


@pytest.mark.parametrize("cve", [c.id for c in load_cves()])
def test_every_cve_is_documented(cve: str) -> None:
    assert f"| {cve} |" in CHECKS_DOC


@pytest.mark.parametrize("pack", sorted(builtin_packs()))
def test_every_policy_pack_is_documented(pack: str) -> None:
    assert f"`{pack}`" in CHECKS_DOC


def _literal_ids(module: str, prefix: str) -> set[str]:
    text = (SRC / module).read_text(encoding="utf-8")
    return set(re.findall(rf'"({prefix}-[a-z0-9-]+)"', text))


@pytest.mark.parametrize(
    ("module", "prefix"),
    [("assess/checks/exposure.py", "exposure"), ("assess/checks/authenticated.py", "auth"),
     ("traffic/egress.py", "egress")],
)  # fmt: skip
def test_every_finding_id_is_documented(module: str, prefix: str) -> None:
    ids = _literal_ids(module, prefix)
    assert ids, f"no {prefix}-* ids found in {module}: the test no longer sees them"
    assert sorted(i for i in ids if i not in CHECKS_DOC) == []
