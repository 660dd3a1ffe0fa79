"""`camaudit init`: a commented camaudit.toml that parses as written, never over an existing file; a
command given a missing file says how to write one."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from camaudit.cli import _register, cli
from camaudit.config import find_config, load_config


def _run(args: list[str]) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def test_init_writes_a_commented_file_that_parses(tmp_path: Path) -> None:
    target = tmp_path / "camaudit.toml"
    code, out, _ = _run(["init", str(target)])
    assert code == 0 and f"wrote {target}" in out
    text = target.read_text(encoding="utf-8")
    assert text.count("\n#") > 20 and "[organisation]" in text and "[register]" in text
    config = load_config(target)
    assert config.name == "Your organisation" and config.jurisdictions == ()  # nothing else declared

    code, _, err = _run(["init", str(target)])
    assert code == 2 and "already exists (--force replaces it)" in err
    target.write_text("[organisation]\nname = 'Mine'\n", encoding="utf-8")
    assert _run(["init", str(target), "--force"])[0] == 0 and load_config(target).name == "Your organisation"


def test_init_writes_to_the_current_folder_and_commands_read_it(tmp_path: Path) -> None:
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert _run(["init"])[0] == 0
        found = find_config()
        assert found is not None and found.file.endswith("camaudit.toml")
    finally:
        os.chdir(here)


def test_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    code, _, err = _run(["init", str(tmp_path / "no" / "such" / "camaudit.toml")])
    assert code == 2 and "cannot write" in err and "does not exist" in err and "Traceback" not in err


def test_a_missing_config_names_camaudit_init(tmp_path: Path) -> None:
    missing = tmp_path / "camaudit.toml"
    code, _, err = _run(["policy", "--db", str(tmp_path / "r.sqlite"), "--config", str(missing)])
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"{missing}: no such file" in err and "`camaudit init` writes a commented camaudit.toml" in err
