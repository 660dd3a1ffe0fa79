"""Command line: a thin layer from arguments to the pipeline.

Each command lives in its own module here and is named in `COMMANDS`. A command's module is imported
only when that command runs (or when `--help` lists them all): `camaudit scan` does not pay for the
report, traffic and policy code at every start.
"""

from __future__ import annotations

import importlib

import click

from camaudit.version import __version__

# name -> (module, attribute), in the order `--help` lists them
COMMANDS = {
    "init": ("init_config", "init"),
    "lab": ("lab", "lab"),
    "scan": ("scan", "scan"),
    "identify": ("identify", "identify"),
    "traffic": ("traffic", "traffic"),
    "import": ("imports", "import_command"),
    "census": ("census", "census"),
    "audits": ("audits", "audits"),
    "devices": ("devices", "devices"),
    "findings": ("findings", "findings"),
    "diff": ("diff", "diff_command"),
    "annotate": ("annotate", "annotate"),
    "register": ("register", "register"),
    "policy": ("policy", "policy"),
    "plan": ("plan", "plan"),
    "report": ("report", "report"),
    "serve": ("serve", "serve"),
    "users": ("serve", "users"),
    "tokens": ("serve", "tokens"),
    "spool": ("central", "spool"),
}


def _load(name: str) -> click.Command:
    module, attribute = COMMANDS[name]
    command = getattr(importlib.import_module(f"camaudit.cli.{module}"), attribute)
    assert isinstance(command, click.Command)
    return command


class LazyGroup(click.Group):
    """A group whose commands are imported when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(n for n in self.commands if n not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.add_command(_load(cmd_name), cmd_name)
        return self.commands.get(cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="camaudit")
def cli() -> None:
    """Audit a surveillance-camera estate: what cameras, who made them, what to do."""


def _register() -> None:
    """Import and add every command now (tests and docs read `cli.commands`)."""
    for name in COMMANDS:
        if name not in cli.commands:
            cli.add_command(_load(name), name)


def main() -> None:
    # click exits 2 on usage errors; our own errors are turned into one line and exit 2 too.
    cli(prog_name="camaudit")
