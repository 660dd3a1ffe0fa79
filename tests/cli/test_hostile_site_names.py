"""A site's name is a segment of the API's URL and the name of its scanner's spool folder: ``--site ..``
spooled into the data folder itself (beside the register), and a token could be made for a site whose
name no URL can carry ('/') or that holds terminal controls. Such names are refused on both sides."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from camaudit.cli import _register, cli

BAD = ["..", ".", "north/../..", "a\\b", "\x1b]0;owned\x07", "x" * 65, " north"]


def _run(args: list[str]) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(cli, args, color=True)
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize("site", BAD)
def test_no_token_is_made_for_a_name_that_cannot_be_a_site(tmp_path: Path, site: str) -> None:
    db = tmp_path / "central.sqlite"
    code, output = _run(["tokens", "create", "--scope", "write", "--site", site, "--db", str(db)])
    assert code == 2, output
    assert "cannot name a site" in output or "1 to 64" in output
    assert "\x1b" not in output
    code, output = _run(["tokens", "list", "--json", "--db", str(db)])
    assert '"tokens": []' in output


@pytest.mark.parametrize("site", BAD)
def test_a_scanner_refuses_such_a_site_before_spooling(
    tmp_path: Path, private_data_home: Path, site: str
) -> None:
    token = tmp_path / "token"
    token.write_text("cat_not_a_real_token\n", encoding="utf-8")
    args = ["spool", "--report-to", "http://127.0.0.1:9", "--site", site, "--token-file", str(token)]
    code, output = _run(args)
    assert code == 2, output
    assert "--site" in output and "\x1b" not in output
    assert not list(private_data_home.rglob("rejected"))  # no spool folder was made anywhere


def test_a_plain_site_name_still_works(tmp_path: Path) -> None:
    code, output = _run(
        [
            "tokens",
            "create",
            "--scope",
            "write",
            "--site",
            "North-2 (depot)",
            "--db",
            str(tmp_path / "c.sqlite"),
        ]
    )
    assert code == 0, output
