"""Every module has its test file at the matching path (STYLE.md R2, mitmproxy's filename_matching):
`src/camaudit/x/y.py` is tested by `tests/x/test_y.py`; a package's `__init__.py` by `tests/x/test_init.py`
(or `test_registry.py` when it holds a registry). The exceptions are listed here with their reason."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "camaudit"
TESTS = ROOT / "tests"

# module (path under src/camaudit) -> why it has no test file of its own
EXEMPT = {
    "__main__.py": "two lines that call cli.main; tests/cli drive the same entry point",
    "version.py": "one constant; tests/test_init.py pins it as camaudit.__version__",
    "store/migrations/env.py": "Alembic's environment; every migration test runs through it",
    "store/migrations/versions/m0001_initial.py": "tests/store/test_migrations.py (audit-v1.sqlite)",
    "store/migrations/versions/m0002_status_history.py": "tests/store/test_migrations.py (audit-v1.sqlite)",
    "store/migrations/versions/m0003_model_codec.py": "tests/store/test_migrations.py (audit-v2.sqlite)",
    "store/migrations/versions/m0004_login_attempts.py": "tests/store/test_migrations.py (upgrades)",
    "store/migrations/versions/m0006_web.py": "tests/store/test_migrations.py (SQLite, PostgreSQL)",
    "store/migrations/versions/m0007_site_keys.py": "tests/store/test_site_keys.py (schema 6 moved)",
    "store/schema.py": "tests/store/test_migrations.py compares it with what the migrations build",
    "assess/verify/_base.py": "the verifications' shared helper: tests/assess/verify/test_*.py run it, "
    "test_registry.py guards what it may send",
    "sources/probes/_base.py": "types shared by every probe: every tests/sources/probes/test_*.py uses them",
    "sources/probes/_udp.py": "unicast discovery: tests/sources/probes/test_{sadp,dhip,wsdiscovery}.py",
    "sources/passive/files.py": "reader dispatch: tests/cli/test_traffic.py, tests/pipeline/test_traffic.py",
    "sources/passive/frames.py": "frame decoding: tests/sources/passive/test_pcap.py",
    "sources/passive/textlog.py": "text-log reader base: tests/sources/passive/test_zeek.py, test_flows.py",
    "sources/imports/_base.py": "the record types every reader yields: tests/sources/imports/test_*.py",
    "sources/imports/_banners.py": "masscan banners and nmap fingerprints: test_masscan.py, test_nmap_xml.py",
    "sources/imports/_json.py": "JSON lines and documents: test_shodan.py, test_runzero.py, test_registry.py",
    "sources/imports/_services.py": "reply conversions: every tests/sources/imports/test_*.py",
    "sources/imports/_stream.py": "compression, stdin and budgets: tests/sources/imports/test_registry.py",
    "sources/imports/_xml.py": "streamed XML, caps and defusing: test_nmap_xml.py, test_nessus.py",
    "data/default_credentials.py": "tests/assess/checks/test_default_credentials.py uses every entry",
    "data/schema.py": "tests/data/test_load.py and tests/identify/test_rules.py validate every data file",
    "identify/__init__.py": "re-exports identify(); tests/identify/test_device.py",
    # The emulated devices are tested by being probed: each probe's test runs against them in the lab.
    "lab/servers/__init__.py": "the server registry: tests/lab/test_runner.py starts every profile",
    "lab/servers/dhip.py": "tests/sources/probes/test_dhip.py against the lab",
    "lab/servers/dvrip.py": "tests/sources/probes/test_dvrip.py and test_dvrip_legacy.py against the lab",
    "lab/servers/hiksdk.py": "tests/sources/probes/test_hiksdk.py against the lab",
    "lab/servers/http.py": "tests/sources/probes/test_http.py, test_onvif.py and test_tls.py against the lab",
    "lab/servers/rtsp.py": "tests/sources/probes/test_rtsp.py against the lab",
    "lab/servers/sadp.py": "tests/sources/probes/test_sadp.py against the lab",
    "lab/servers/wsdiscovery.py": "tests/sources/probes/test_wsdiscovery.py against the lab",
    "lab/spec.py": "profile validation: tests/lab/test_profile.py",
    "lab/spec_discovery.py": "profile validation: tests/lab/test_profile.py",
}


def _expected(path: Path) -> list[Path]:
    rel = path.relative_to(SRC)
    folder = TESTS.joinpath(*rel.parts[:-1])
    if rel.name == "__init__.py":
        return [folder / "test_init.py", folder / "test_registry.py"]
    return [folder / f"test_{rel.stem}.py"]


def _only_declarations(path: Path) -> bool:
    """A docstring, imports and `__all__` only (an `__init__` that just names or re-exports modules)."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return all(
        isinstance(n, ast.Import | ast.ImportFrom)
        or (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
        or (isinstance(n, ast.Assign) and [getattr(t, "id", "") for t in n.targets] == ["__all__"])
        for n in body
    )


def _untested() -> list[str]:
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if EXEMPT.get(rel) or _only_declarations(path):
            continue
        if not any(p.exists() for p in _expected(path)):
            missing.append(f"{rel}: expected {_expected(path)[0].relative_to(ROOT)}")
    return missing


def test_every_module_has_its_test_file() -> None:
    assert _untested() == []


def test_every_exemption_is_still_needed_and_says_why() -> None:
    for rel, why in EXEMPT.items():
        path = SRC / rel
        assert path.exists(), f"{rel} is gone: drop its exemption"
        if why:
            assert not any(p.exists() for p in _expected(path)), (
                f"{rel} has a test file now: drop its exemption"
            )
