"""Run one fuzz target with atheris: `python fuzz/run.py TARGET [libFuzzer options] [CORPUS_DIR]`.

Coverage-guided (atheris instruments camaudit on import). Prints the inputs run; exit 0 when the budget
(`-runs=N`) ends with no crash. The corpus directory keeps the inputs that found new coverage.
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports(include=["camaudit"]):
    from targets import TARGETS


def main() -> None:
    name = sys.argv.pop(1)
    target, allowed = TARGETS[name]

    def one(data: bytes) -> None:
        with contextlib.suppress(*allowed):  # the documented error: a clean refusal, not a crash
            target(data)

    atheris.Setup(sys.argv, one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
