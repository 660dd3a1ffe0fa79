"""One exception tree: everything camaudit raises on purpose is a CamauditError."""

from __future__ import annotations

from camaudit import errors


def test_the_tree_in_the_docstring_is_the_tree_in_the_code() -> None:
    assert issubclass(errors.BadImportFile, errors.InputError)
    assert issubclass(errors.DataFileError, errors.InputError)
    assert issubclass(errors.CredentialsError, errors.InputError)
    assert issubclass(errors.MessageTooLarge, errors.ProtocolError)
    for name in ("ScopeError", "InputError", "ProtocolError", "LabError"):
        cls = getattr(errors, name)
        assert cls.__bases__ == (errors.CamauditError,) and name in (errors.__doc__ or "")
