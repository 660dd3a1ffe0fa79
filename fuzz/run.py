"""Run one fuzz target with atheris: `python fuzz/run.py TARGET [libFuzzer options] [CORPUS_DIR]`.

Coverage-guided (atheris instruments camaudit on import). Prints the inputs run; exit 0 when the budget
(`-runs=N`) ends with no crash. The corpus directory keeps the inputs that found new coverage.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["camaudit"]):
    from targets import TARGETS  # noqa: E402  (fuzz/ is on sys.path when run as a script)


def main() -> None:
    name = sys.argv.pop(1)
    target, allowed = TARGETS[name]

    def one(data: bytes) -> None:
        try:
            target(data)
        except allowed:
            pass  # the documented error: a clean refusal, not a crash

    atheris.Setup(sys.argv, one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
