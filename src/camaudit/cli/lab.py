"""`camaudit lab ...`: run the emulated camera lab."""

from __future__ import annotations

import click


@click.group()
def lab() -> None:
    """Run the emulated camera lab (for the demo and the tests)."""
