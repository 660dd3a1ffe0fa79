"""Our input errors become one line and exit code 2; anything else is not ours to hide."""

from __future__ import annotations

import pytest

from camaudit.cli.errors import EXIT_USAGE, fail_on_input_errors
from camaudit.errors import InputError, ScopeError


@pytest.mark.parametrize("error", [InputError("bad.csv:3: no ip"), ScopeError("8.8.8.8 is public")])
def test_input_and_scope_errors_are_one_line_and_exit_2(
    error: Exception, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped, fail_on_input_errors():
        raise error
    assert stopped.value.code == EXIT_USAGE
    assert capsys.readouterr().err == f"camaudit: error: {error}\n"


def test_other_errors_pass_through() -> None:
    with pytest.raises(ZeroDivisionError), fail_on_input_errors():
        raise ZeroDivisionError
