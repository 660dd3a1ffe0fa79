"""Offline check of the installed dependencies against known advisories: `python deps/check.py`.

Reads deps/advisories.json (a snapshot of the PyPA advisory database, see build_advisories.py) and every
distribution installed in the running interpreter's environment (the versions CI actually resolved), and
lists each one whose version falls in an affected range. Exit 1 if any does, 0 otherwise. No network: it
knows only advisories published up to the snapshot's date, which it prints.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

SNAPSHOT = Path(__file__).resolve().parent / "advisories.json"


@dataclass(frozen=True)
class Hit:
    package: str
    version: str
    advisory: str
    aliases: tuple[str, ...]
    fixed: str | None


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _in_span(version: Version, span: list[str | None]) -> bool:
    introduced, fixed, last = span
    try:
        if introduced not in (None, "0") and version < Version(str(introduced)):
            return False
        if fixed is not None:
            return version < Version(fixed)
        return last is None or version <= Version(last)
    except InvalidVersion:  # a bound the packaging rules cannot read: judge it affected, say so below
        return True


def affected(entry: dict[str, Any], version: str) -> bool:
    """Whether one advisory's entry covers this version."""
    if "versions" in entry:
        return version in entry["versions"]
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    return any(_in_span(parsed, span) for span in entry.get("ranges", []))


def check(installed: dict[str, str], snapshot: dict[str, Any]) -> list[Hit]:
    hits = []
    for name, version in sorted(installed.items()):
        for entry in snapshot["packages"].get(canonical(name), []):
            if affected(entry, version):
                fixed = next((s[1] for s in entry.get("ranges", []) if s[1]), None)
                hits.append(Hit(name, version, entry["id"], tuple(entry["aliases"]), fixed))
    return hits


def installed_distributions() -> dict[str, str]:
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[canonical(name)] = dist.version
    return found


def main() -> int:
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    installed = installed_distributions()
    hits = check(installed, snapshot)
    known = sum(len(v) for v in snapshot["packages"].values())
    print(
        f"offline advisory check: {len(installed)} installed distributions against {known} advisories "
        f"({snapshot['source']}, snapshot {snapshot['date']}; later advisories are not known to it)"
    )
    for hit in hits:
        fix = f", fixed in {hit.fixed}" if hit.fixed else ", no fixed version"
        print(f"VULNERABLE {hit.package} {hit.version}: {hit.advisory} ({' '.join(hit.aliases)}){fix}")
    print(f"{len(hits)} known vulnerabilities")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
