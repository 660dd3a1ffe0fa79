"""`camaudit serve`, `camaudit users add`, `camaudit tokens create|list|revoke`: the dashboard, its accounts.

Scripts need no prompt: `users add NAME --role R --password-file F` and `tokens create` (the token alone
on standard output, shown once; the register keeps only its hash).
"""

from __future__ import annotations

import sys

import click

from camaudit.cli.register import db_option, register_errors
from camaudit.cli.render import plain
from camaudit.store import Register, RegisterError
from camaudit.store.accounts import ROLES, Accounts

MAX_PASSWORD_FILE = 4096
TOKENS_SCHEMA = "camaudit.tokens/1"


def _password(path: str | None) -> tuple[str, bool]:
    """(password, generated): from the file's first line, else a new random one."""
    from camaudit.web import auth

    if path is None:
        return auth.new_password(), True
    try:
        with open(path, "rb") as stream:
            text = stream.read(MAX_PASSWORD_FILE).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"cannot read the password file: {exc}") from None
    lines = text.splitlines()
    password = lines[0] if lines else ""
    if len(password) < auth.MIN_PASSWORD:
        raise click.UsageError(
            f"the password file's first line needs at least {auth.MIN_PASSWORD} characters"
        )
    return password, False


@click.group()
def users() -> None:
    """Dashboard accounts."""


@users.command("add")
@click.argument("name")
@db_option
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option(
    "--password-file", metavar="FILE", help="First line is the password (default: a random one, printed)."
)
def users_add(name: str, db: str | None, role: str, password_file: str | None) -> None:
    """Add a user NAME. Viewer reads; auditor also the change log; operator annotates; admin manages."""
    from camaudit.web import auth

    password, generated = _password(password_file)
    with register_errors(), Register(db) as register:
        Accounts(register.engine).add_user(name[:64], role, auth.hash_password(password))
    click.echo(f"user {plain(name)} ({role}) added", err=True)
    if generated:
        click.echo(password)


@click.group()
def tokens() -> None:
    """API tokens for scripts and site scanners."""


@tokens.command("create")
@db_option
@click.option("--name", help="What the token is for (default: the site's name, or 'read').")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
@click.option("--site", help="With --scope write: the one site whose audits the token may send.")
def tokens_create(db: str | None, name: str | None, scope: str, site: str | None) -> None:
    """Create a token and print it alone on standard output (shown once; only its hash is kept)."""
    from camaudit.web import auth

    name = name or site or scope
    token = auth.new_token()
    with register_errors(), Register(db) as register:
        Accounts(register.engine).add_token(name[:64], scope, site, auth.token_hash(token), "cli")
    click.echo(token)


@tokens.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def tokens_list(db: str | None, as_json: bool) -> None:
    """List the tokens: id, name, scope, site, created, by whom, revoked (never the token: not kept)."""
    from rich.table import Table

    from camaudit.cli.render import cell, table_console, write_json

    with register_errors(), Register(db) as register:
        found = Accounts(register.engine).tokens()
    if as_json:
        rows = [
            {"id": k.id, "name": k.name, "scope": k.scope, "site": k.site,
             "created": k.created_at.isoformat(), "created_by": k.created_by, "revoked": k.revoked}
            for k in found
        ]  # fmt: skip
        write_json({"schema": TOKENS_SCHEMA, "tokens": rows}, "-")
        return
    table = Table(title=f"API tokens ({len(found)})")
    for column in ("id", "name", "scope", "site", "created", "by", "revoked"):
        table.add_column(column, overflow="fold")
    for k in found:
        table.add_row(
            str(k.id), cell(k.name), k.scope, cell(k.site or ""), k.created_at.strftime("%Y-%m-%d %H:%M"),
            cell(k.created_by or ""), "revoked" if k.revoked else "",
        )  # fmt: skip
    table_console().print(table)


@tokens.command("revoke")
@db_option
@click.argument("token_id", type=int, metavar="ID")
def tokens_revoke(db: str | None, token_id: int) -> None:
    """Revoke token ID (see `tokens list`). A running server refuses it within 30 seconds."""
    from camaudit.web.app import TOKEN_CACHE_SECONDS

    with register_errors(), Register(db) as register:
        accounts = Accounts(register.engine)
        if not any(k.id == token_id for k in accounts.tokens()):
            raise RegisterError(f"no token {token_id} (see camaudit tokens list)")
        accounts.revoke_token(token_id)
    click.echo(
        f"token {token_id} revoked; a running server refuses it within {TOKEN_CACHE_SECONDS:.0f} s", err=True
    )


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="camaudit.toml for policy.")
@click.option("--no-policy", is_flag=True, help="Leave out policy verdicts and the removal plan.")
@click.option("--certfile", type=click.Path(dir_okay=False), help="TLS certificate (cookies then Secure).")
@click.option("--keyfile", type=click.Path(dir_okay=False), help="TLS private key.")
@click.option("--admin-password", is_flag=True, help="Create user 'admin' with a one-time password, printed.")
def serve(
    db: str | None,
    host: str,
    port: int,
    config_path: str | None,
    no_policy: bool,
    certfile: str | None,
    keyfile: str | None,
    admin_password: bool,
) -> None:
    """Serve the dashboard over the register (Ctrl-C stops it). Binds 127.0.0.1 unless told otherwise."""
    import uvicorn

    from camaudit.web import create_app

    with register_errors():
        app = create_app(db, policy=None if no_policy else (config_path, (), ()))
        if admin_password:
            _one_time_admin(app.state.web.writes)
    scheme = "https" if certfile else "http"
    click.echo(f"camaudit: dashboard on {scheme}://{host}:{port}/ (Ctrl-C stops it)", err=True)
    uvicorn.run(
        app, host=host, port=port, log_level="warning", ssl_certfile=certfile, ssl_keyfile=keyfile,
        proxy_headers=True, server_header=False,
    )  # fmt: skip


def _one_time_admin(accounts: Accounts) -> None:
    """A first admin for `make dashboard`: a fresh password each start (the last one stops working)."""
    from camaudit.web import auth as a

    password = a.new_password()
    hashed = a.hash_password(password)
    try:
        accounts.add_user("admin", "admin", hashed)
    except RegisterError:
        accounts.set_password("admin", hashed)
    click.echo(f"camaudit: sign in as admin with the one-time password: {password}", err=True)
    sys.stderr.flush()
