"""Turn our input errors into one clear line and exit code 2, with nothing probed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from camaudit.errors import InputError, ScopeError

EXIT_USAGE = 2


@contextmanager
def fail_on_input_errors() -> Iterator[None]:
    try:
        yield
    except (ScopeError, InputError) as exc:
        click.echo(f"camaudit: error: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None
