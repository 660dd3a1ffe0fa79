"""`camaudit init`: write a commented camaudit.toml to fill in (never over an existing one)."""

from __future__ import annotations

from pathlib import Path

import click

from camaudit.cli.outputs import unwritable
from camaudit.config import DEFAULT_CONFIG, template_text


@click.command()
@click.argument(
    "path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_CONFIG, required=False
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
def init(path: Path, force: bool) -> None:
    """Write camaudit.toml (or PATH): the organisation's name, facts, networks, sites, packs and register,
    each commented, for policy verdicts, the removal plan and the report's first page."""
    if path.exists() and not force:
        raise click.UsageError(f"{path} already exists (--force replaces it)")
    why = unwritable(str(path))
    if why is not None:
        raise click.UsageError(f"cannot write {path}: {why}")
    path.write_text(template_text(), encoding="utf-8")
    click.echo(f"wrote {path}: fill in what you know; anything left commented stays 'undetermined'")
    click.echo("commands read ./camaudit.toml by themselves; elsewhere pass --config FILE")
