"""`camaudit scan` end to end: arguments, refusals, table and JSON output, against the lab."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from camaudit.cli import cli, main  # noqa: F401  (main registers the commands)
from camaudit.cli import scan as scan_module
from camaudit.lab.runner import Lab


def _run(args: list[str]) -> tuple[int, str, str]:
    from camaudit.cli import _register

    _register()
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def _requests_to(lab: Lab, address: str) -> int:
    return sum(1 for r in lab.requests if r.peer and address in str(r))


def test_bad_targets_exit_2_with_one_line_and_probe_nothing(lab: Lab, tmp_path: Path) -> None:
    address = lab.manifest()[0]["address"]
    before = len(lab.requests)
    for args in (
        ["scan", address, "8.8.8.8"],
        ["scan", "10.0.0.300"],
        ["scan", "-iL", str(tmp_path / "missing.txt")],
        ["scan"],
        ["scan", "--no-such-option", address],
    ):
        code, out, err = _run(args)
        assert code == 2, args
        assert out == ""
        assert len([line for line in err.splitlines() if line.strip()]) <= 3, err
    assert len(lab.requests) == before


def test_scan_prints_a_table_and_writes_json(lab: Lab, tmp_path: Path) -> None:
    manifest = {e["profile"]: e["address"] for e in lab.manifest()}
    chosen = ["lts-ipc", "lorex-ipc", "hostile-script", "plain-webserver"]
    targets = tmp_path / "targets.txt"
    targets.write_text("# lab devices\n" + "\n".join(manifest[p] for p in chosen) + "\n")
    out_file = tmp_path / "audit.json"
    code, out, err = _run(
        ["scan", "-iL", str(targets), "--rate", "2000", "--timeout", "1.5", "--json", str(out_file)]
    )
    assert code == 0, err
    assert "Hikvision (sold as LTS" in out and "Dahua (sold as Lorex)" in out
    assert "<script>alert(1)</script>" in out
    doc = json.loads(out_file.read_text())
    got = {d["ip"]: (d["brand"], d["manufacturer"]) for d in doc["devices"]}
    assert got[manifest["lts-ipc"]] == ("lts", "hikvision")
    assert got[manifest["lorex-ipc"]] == ("lorex", "dahua")
    assert got[manifest["plain-webserver"]] == (None, None)
    assert sorted(doc["audit"]["scope"]) == sorted(manifest[p] for p in chosen)


def test_json_to_stdout_keeps_stdout_clean(lab: Lab) -> None:
    address = {e["profile"]: e["address"] for e in lab.manifest()}["dahua-nvr"]
    code, out, _ = _run(["scan", address, "--rate", "2000", "--json", "-"])
    assert code == 0
    doc = json.loads(out)
    assert doc["devices"][0]["device_type"] == "nvr"


def test_table_escapes_rich_markup_in_device_strings() -> None:
    from camaudit.model import Device

    table = scan_module.device_table([Device(ips=("127.0.0.1",), model="[bold red]x[/]")])
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(table)
    assert "[bold red]x[/]" in console.export_text()


def _run_with_input(args: list[str], stdin: str) -> tuple[int, str, str]:
    from camaudit.cli import _register

    _register()
    result = CliRunner().invoke(cli, args, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_octet_lists_on_the_command_line_and_nmaps_excludefile(tmp_path: Path) -> None:
    excludes = tmp_path / "exclude.txt"
    excludes.write_text("127.77.0.1,3\n")
    code, _, err = _run(["scan", "127.77.0.1,3", "--excludefile", str(excludes), "--no-db", "--no-multicast"])
    assert code == 0, err
    assert "0 target(s)" in err


def test_target_list_from_standard_input_with_dash(tmp_path: Path) -> None:
    code, _, err = _run_with_input(
        ["scan", "-iL", "-", "--exclude", "127.77.0.0/24", "--no-db", "--no-multicast"],
        "127.77.0.1 127.77.0.2,4  # two more\n",
    )
    assert code == 0, err
    assert "0 target(s)" in err


def test_a_file_that_is_not_a_target_list_is_refused_by_line_number(tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$c2FsdA$aGFzaA:19000:0:99999:7:::\n")
    code, _, err = _run(["scan", "-iL", str(secret), "--no-db"])
    assert code == 2
    assert f"{secret}:1: not a target spec" in err
    assert "$6$" not in err and "19000" not in err


def test_too_large_a_scope_names_the_option_that_raises_the_limit(tmp_path: Path) -> None:
    code, _, err = _run(["scan", "10.0.0.0/8", "--no-db"])
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "more than the limit of 65536" in err and "--max-targets 16777214" in err
    # the option it names exists and does what it says (one address more than allowed is refused)
    code, _, err = _run(["scan", "10.0.0.0/29", "--no-db", "--max-targets", "5"])
    assert code == 2 and "--max-targets 6" in err
