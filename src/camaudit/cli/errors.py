"""Turn our input errors into one clear line and exit code 2, with nothing probed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from camaudit.errors import InputError, ScopeError
from camaudit.model import printable

EXIT_USAGE = 2


def shown(exc: BaseException) -> str:
    """An error's text for the terminal: it may quote a file name or a file's bytes (``ESC]0;…BEL``
    retitles the terminal), so controls are shown as escapes; its lines stay lines."""
    return "\n".join(printable(line) for line in str(exc).split("\n"))


@contextmanager
def fail_on_input_errors() -> Iterator[None]:
    try:
        yield
    except (ScopeError, InputError) as exc:
        click.echo(f"camaudit: error: {shown(exc)}", err=True)
        raise SystemExit(EXIT_USAGE) from None
