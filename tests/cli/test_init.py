"""The command group: every command registered once, `--version` and `--help` answer."""

from __future__ import annotations

from click.testing import CliRunner

from camaudit.cli import _register, cli
from camaudit.version import __version__


def test_the_commands_are_registered_and_the_group_answers() -> None:
    _register()
    assert {"scan", "traffic", "policy", "plan", "report", "devices", "findings", "diff", "lab"} <= set(
        cli.commands
    )
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output
    assert CliRunner().invoke(cli, ["-h"]).exit_code == 0
