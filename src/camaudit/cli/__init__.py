"""Command line: a thin layer from arguments to the pipeline.

Each command group lives in its own module here and is added in `COMMANDS`.
"""

from __future__ import annotations

import click

from camaudit.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="camaudit")
def cli() -> None:
    """Audit a surveillance-camera estate: what cameras, who made them, what to do."""


def _register() -> None:
    from camaudit.cli import annotate, devices, diff, findings, identify, lab, register, report, scan, traffic

    for command in (lab.lab, scan.scan, identify.identify, traffic.traffic):
        cli.add_command(command)
    from camaudit.cli import plan, policy

    for command in (policy.policy, plan.plan):
        cli.add_command(command)
    for command in (
        devices.devices,
        findings.findings,
        diff.diff_command,
        annotate.annotate,
        register.register,
        report.report,
    ):
        cli.add_command(command)
    from camaudit.cli import serve

    for command in (serve.serve, serve.users, serve.tokens):
        cli.add_command(command)


def main() -> None:
    _register()
    # click exits 2 on usage errors; our own errors are turned into one line and exit 2 too.
    cli(prog_name="camaudit")
