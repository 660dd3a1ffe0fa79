"""Rebuild deps/advisories.json from a checkout of the PyPA advisory database (OSV format, CC-BY-4.0):
`python deps/build_advisories.py PATH/TO/advisory-database`.

Only what the check needs is kept: per package, each advisory's id, aliases and affected version ranges
(the explicit version list only where an advisory gives no range).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parent / "advisories.json"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _ranges(affected: dict[str, Any]) -> list[list[str | None]]:
    spans: list[list[str | None]] = []
    for rng in affected.get("ranges") or []:
        if rng.get("type") != "ECOSYSTEM":
            continue
        start: str | None = None
        for event in rng.get("events") or []:
            if "introduced" in event:
                start = str(event["introduced"])
            elif "fixed" in event and start is not None:
                spans.append([start, str(event["fixed"]), None])
                start = None
            elif "last_affected" in event and start is not None:
                spans.append([start, None, str(event["last_affected"])])
                start = None
        if start is not None:
            spans.append([start, None, None])  # no fix yet
    return spans


def build(repo: Path) -> dict[str, Any]:
    packages: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((repo / "vulns").glob("*/*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if doc.get("withdrawn"):
            continue
        for affected in doc.get("affected") or []:
            pkg = affected.get("package") or {}
            if pkg.get("ecosystem") != "PyPI":
                continue
            entry: dict[str, Any] = {"id": doc["id"], "aliases": sorted(doc.get("aliases") or [])}
            spans = _ranges(affected)
            if spans:
                entry["ranges"] = spans
            else:
                entry["versions"] = [str(v) for v in affected.get("versions") or []]
            packages.setdefault(canonical(pkg["name"]), []).append(entry)
    commit = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%H %cI"], capture_output=True,
                            text=True, check=False).stdout.split()  # fmt: skip
    return {
        "source": "PyPA advisory database (OSV format), CC-BY-4.0",
        "commit": commit[0] if commit else None,
        "date": commit[1] if len(commit) > 1 else None,
        "packages": dict(sorted(packages.items())),
    }


def _lines(data: dict[str, Any]) -> str:
    """One package a line, so that a refresh reads as a diff of the packages it changed."""
    head = {k: v for k, v in data.items() if k != "packages"}
    rows = [f"{json.dumps(k)}:{json.dumps(v, separators=(',', ':'))}" for k, v in data["packages"].items()]
    return json.dumps(head)[:-1] + ', "packages": {\n' + ",\n".join(rows) + "\n}}\n"


def main() -> None:
    data = build(Path(sys.argv[1]))
    OUT.write_text(_lines(data), encoding="utf-8")
    total = sum(len(v) for v in data["packages"].values())
    print(f"{OUT}: {total} advisories over {len(data['packages'])} packages, snapshot {data['date']}")


if __name__ == "__main__":
    main()
