"""Hostile files (issue 13, items 3 and 4): every reader stops at its cap, whatever the file is, and deep
nesting is one clear line. The command-line cases run in a child process with a memory limit, so a
reader that regresses to `read_bytes()` fails the test instead of eating the machine."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from camaudit.assess.credentials import load_credentials
from camaudit.config import ConfigError, load_config, parse_config
from camaudit.data.load import parse_text
from camaudit.data.policies import read_pack_file
from camaudit.errors import CredentialsError, DataFileError, InputError
from camaudit.files import MAX_TOML_DEPTH, TooLarge, loads_toml, read_capped
from camaudit.report.inputs import from_scan_json

MEMORY_LIMIT = 1536 * 1024 * 1024  # bytes of address space for a child: far above any cap, far below 24 GB
NESTED_TOML = "x = " + "[" * 5000 + "]" * 5000 + "\n"  # ~10 KB, as in the issue


@pytest.fixture
def endless_fifo(tmp_path: Path) -> Iterator[Path]:
    """A named pipe fed forever by a writer thread (stopped when the reader goes away)."""
    fifo = tmp_path / "endless"
    os.mkfifo(fifo)
    stop = threading.Event()

    def feed() -> None:
        try:
            with open(fifo, "wb") as out:
                while not stop.is_set():
                    out.write(b"a" * 65536)
        except (BrokenPipeError, OSError):
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    yield fifo
    stop.set()
    # Unblock a writer still waiting for a reader (non-blocking: there may be no writer left).
    os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    writer.join(5)


def test_read_capped_stops_at_the_cap_on_a_device_file() -> None:
    with pytest.raises(TooLarge, match="larger than 1024 bytes"):
        read_capped("/dev/zero", 1024)


def test_read_capped_stops_at_the_cap_on_a_pipe(endless_fifo: Path) -> None:
    with pytest.raises(TooLarge):
        read_capped(endless_fifo, 100_000)


def test_read_capped_returns_a_small_file_whole(tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.write_bytes(b"x" * 10)
    assert read_capped(small, 10) == b"x" * 10


@pytest.mark.parametrize(
    "text",
    [
        NESTED_TOML,
        "x = " + "{a = " * 40 + "1" + "}" * 40 + "\n",
        "[t]\ny = [" + "[" * 40 + "]" * 41 + "\n",
    ],
)
def test_deep_toml_is_a_decode_error_naming_the_line(text: str) -> None:
    with pytest.raises(tomllib.TOMLDecodeError, match=rf"deeper than {MAX_TOML_DEPTH}"):
        loads_toml(text)


def test_brackets_inside_toml_strings_and_comments_do_not_count() -> None:
    brackets = "[" * 100
    text = f'a = "{brackets}"\nb = \'{brackets}\'\nc = """\n{brackets}\n"""\n# {brackets}\nd = [[1], [2]]\n'
    assert loads_toml(text)["d"] == [[1], [2]]


def test_deep_toml_config_and_credentials_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^camaudit\.toml:1: <file>: not valid TOML .*nested deeper"):
        parse_config(NESTED_TOML, "camaudit.toml")
    creds = tmp_path / "creds.toml"
    creds.write_text(NESTED_TOML)
    with pytest.raises(CredentialsError, match="not valid TOML"):
        load_credentials(creds)


def test_deep_yaml_pack_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="nested too deeply"):
        parse_text("x: " + "[" * 5000 + "]" * 5000, "pack.yaml")


@pytest.mark.parametrize(
    ("reader", "error"),
    [
        (load_config, ConfigError),
        (load_credentials, CredentialsError),
        (read_pack_file, DataFileError),
        (from_scan_json, InputError),
    ],
)
def test_every_file_reader_stops_at_its_cap_on_dev_zero(reader: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="larger than"):
        reader("/dev/zero")  # type: ignore[operator]


def _camaudit(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "-m", "camaudit", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,  # only sets a resource limit in the child
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["register", "import", "/dev/zero"],
        ["policy", "--config", "/dev/zero"],
        ["scan", "--credentials", "/dev/zero", "127.0.0.1", "--no-db"],
        ["scan", "-iL", "/dev/zero", "--no-db"],
    ],
)
def test_commands_reading_dev_zero_fail_cleanly_within_memory(args: list[str], tmp_path: Path) -> None:
    done = _camaudit(*args, "--db", str(tmp_path / "r.sqlite")) if "--no-db" not in args else _camaudit(*args)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "larger than" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("option", ["--config", "--credentials"])
def test_commands_reading_deep_toml_print_one_line(option: str, tmp_path: Path) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text(NESTED_TOML)
    args = ["policy", "--config", str(deep), "--db", str(tmp_path / "r.sqlite")]
    if option == "--credentials":
        args = ["scan", "--credentials", str(deep), "127.0.0.1", "--no-db"]
    done = _camaudit(*args)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
