"""`camaudit users add`, `camaudit tokens create` and `camaudit serve` as scripts use them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner
from tests.web.serving import free_port

from camaudit.cli import _register, cli
from camaudit.store import Register
from camaudit.store.accounts import Accounts
from camaudit.web import auth

_register()


def test_users_add_from_a_password_file(tmp_path: Path) -> None:
    db, secret = tmp_path / "r.sqlite", tmp_path / "pw"
    secret.write_text("a very long password\n")
    result = CliRunner().invoke(
        cli, ["users", "add", "ann", "--role", "auditor", "--password-file", str(secret), "--db", str(db)]
    )
    assert result.exit_code == 0 and "a very long password" not in result.output
    with Register(db) as register:
        user = Accounts(register.engine).user("ann")
    assert user is not None and user.role == "auditor"
    assert auth.check_password("a very long password", user.password_hash)
    again = CliRunner().invoke(cli, ["users", "add", "ann", "--password-file", str(secret), "--db", str(db)])
    assert again.exit_code == 2 and "already exists" in again.output
    secret.write_text("short\n")
    bad = CliRunner().invoke(cli, ["users", "add", "bob", "--password-file", str(secret), "--db", str(db)])
    assert bad.exit_code == 2 and "12 characters" in bad.output


def test_tokens_create_prints_the_token_alone(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    result = CliRunner().invoke(
        cli, ["tokens", "create", "--name", "hq", "--scope", "write", "--site", "HQ", "--db", str(db)]
    )
    token = result.stdout
    assert result.exit_code == 0 and token.count("\n") == 1 and token.startswith(auth.TOKEN_PREFIX)
    with Register(db) as register:
        [stored] = Accounts(register.engine).tokens()
    assert (stored.scope, stored.site) == ("write", "HQ")
    bad = CliRunner().invoke(cli, ["tokens", "create", "--name", "x", "--scope", "write", "--db", str(db)])
    assert bad.exit_code == 2 and "site" in bad.output


def test_serve_binds_loopback_prints_a_one_time_password_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "camaudit",
        "serve",
        "--db",
        str(tmp_path / "r.sqlite"),
        "--port",
        str(port),
        "--admin-password",
    ]
    proc = subprocess.Popen(
        argv, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    try:
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                    assert reply.read() == b'{"status":"ok"}'
                    break
            except OSError:
                time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
        lines = err.splitlines()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert any(f"http://127.0.0.1:{port}/" in line for line in lines)
    assert any("one-time password: " in line for line in lines)
