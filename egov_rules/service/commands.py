"""Service commands: ``serve``, ``db upgrade|status``, ``users add|list``, ``tokens create|list|revoke``.

Registered in ``egov_rules.cli``; fastapi, sqlalchemy and uvicorn are imported inside the commands so the
checking commands start as quickly as before."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from ..cli.common import guarded, limit_options
from ..errors import EXIT_OK, ConfigError
from ..input.load import Limits


def db_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--data-dir", type=click.Path(file_okay=False), default=None, envvar="EGOV_RULES_DATA_DIR",
                      help="where the embedded SQLite database and the session secret live "
                           "(default: the user data directory)")(fn)
    return click.option("--db", "db_url", default=None, envvar="EGOV_RULES_DB", metavar="URL",
                        help="database URL: sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DB "
                             "(default: SQLite in the data directory)")(fn)


def _settings(db_url: str | None, data_dir: str | None, limits: Limits | None = None) -> Any:
    from .settings import Settings

    return Settings.from_env(db_url, data_dir, limits)


def _database(settings: Any) -> Any:
    from .db import Database

    return Database(settings.db_url)


# ------------------------------------------------------------------------------------------- serve
@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="port to listen on")
@db_options
@click.option("--no-upgrade", is_flag=True, help="refuse to start on an older schema instead of upgrading it")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info")
@click.option("--rules", "rules_dirs", multiple=True, type=click.Path(file_okay=False),
              help="extra rulebook directory (repeatable); its files are stored with every review checked with it")
@click.option("--only-rules", is_flag=True, help="use only the --rules directories, not the built-in rulebook")
@limit_options
@guarded
def serve(host: str, port: int, db_url: str | None, data_dir: str | None, no_upgrade: bool, log_level: str,
          rules_dirs: tuple[str, ...], only_rules: bool, **limits: Any) -> int:
    """Start the review service (HTTP API; see docs/service.md for TLS and backups)."""
    import uvicorn

    from ..check import Checker
    from .app import create_app
    from .checking import CheckService
    from .db import schema_status, upgrade

    _check_port_free(host, port)
    settings = _settings(db_url, data_dir, Limits(**limits))
    checker = Checker(rules_dirs, include_default_rules=not only_rules, limits=settings.limits)  # bad rules: exit 2
    click.echo(f"egov-rules service: rulebook {checker.rulebook.version} ({checker.rulebook.sha256[:12]}, "
               f"{len(checker.rulebook.rules)} rules)", err=True)
    db = _database(settings)
    click.echo(f"egov-rules service: database {settings.display_db()}", err=True)
    status = schema_status(db)
    if status in ("empty", "behind") and not no_upgrade:
        before, after = upgrade(db)
        click.echo(f"egov-rules service: database schema {before or 'none'} -> {after}", err=True)
    db.dispose()
    app = create_app(settings, checks=CheckService(settings.limits, checker))
    click.echo(f"egov-rules service: listening on http://{host}:{port} (API docs at /docs)", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False, proxy_headers=True)
    return EXIT_OK


def _check_port_free(host: str, port: int) -> None:
    """A clear exit 2 for a port in use, before the database and the rulebook are loaded."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(infos[0][4])
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", field="--port",
                          expected="a free port on an address of this machine") from None


# ------------------------------------------------------------------------------------------- db
@click.group()
def db() -> None:
    """The service's database: schema migrations."""


@db.command("upgrade")
@db_options
@guarded
def db_upgrade(db_url: str | None, data_dir: str | None) -> int:
    """Create or upgrade the schema to this version's (Alembic migrations shipped in the package)."""
    from .db import upgrade

    settings = _settings(db_url, data_dir)
    database = _database(settings)
    before, after = upgrade(database)
    database.dispose()
    click.echo(f"{settings.display_db()}: schema {before or 'none'} -> {after}")
    return EXIT_OK


@db.command("status")
@db_options
@guarded
def db_status(db_url: str | None, data_dir: str | None) -> int:
    """Say whether the schema is current, and where the database is."""
    from .db import current_revision, head_revision, schema_status

    settings = _settings(db_url, data_dir)
    database = _database(settings)
    status = schema_status(database)
    click.echo(f"{settings.display_db()}: {status} (at {current_revision(database) or 'none'}, "
               f"this version needs {head_revision()})")
    database.dispose()
    return EXIT_OK if status == "current" else 1


def _ready(settings: Any) -> Any:
    """The database for an account command: it must have the current schema."""
    from .app import SchemaNotCurrent
    from .db import schema_status

    database = _database(settings)
    status = schema_status(database)
    if status != "current":
        database.dispose()
        raise SchemaNotCurrent(status, settings.display_db())
    return database


# ------------------------------------------------------------------------------------------- users
@click.group()
def users() -> None:
    """Accounts of the review service."""


def _read_password() -> str:
    """One line from standard input (a pipe), or asked twice without echo on a terminal."""
    if sys.stdin.isatty():
        value: str = click.prompt("password", hide_input=True, confirmation_prompt=True, err=True)
        return value
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["reviewer", "finance", "supervisor", "admin"]))
@click.option("--units", default=None, help="comma-separated unit ids this user may see (reviewer, finance)")
@click.option("--all-units", is_flag=True, help="this reviewer or finance user sees every unit")
@click.option("--no-password", is_flag=True, help="an account for a machine client: tokens only, no login")
@db_options
@guarded
def users_add(name: str, role: str, units: str | None, all_units: bool, no_password: bool, db_url: str | None,
              data_dir: str | None) -> int:
    """Add a user; the password is read from standard input (at least 12 characters)."""
    from .auth import add_account, validate_units

    if units is not None and all_units:
        raise ConfigError("give --units or --all-units, not both", field="--units")
    unit_list = [u.strip() for u in units.split(",") if u.strip()] if units is not None else None
    scope = None if all_units else validate_units(unit_list, role)
    password = None if no_password else _read_password()
    database = _ready(_settings(db_url, data_dir))
    with database.write() as session:
        user = add_account(session, name, role, password, scope)
    database.dispose()
    scope_text = "every unit" if user.units is None else ", ".join(sorted(user.units))
    click.echo(f"user '{user.name}' added: {user.role}, sees {scope_text}")
    return EXIT_OK


@users.command("list")
@db_options
@guarded
def users_list(db_url: str | None, data_dir: str | None) -> int:
    """Every account with its role and units."""
    import json

    from sqlalchemy import select

    from .models import Account

    database = _ready(_settings(db_url, data_dir))
    with database.read() as session:
        for a in session.scalars(select(Account).order_by(Account.name)):
            units = "every unit" if a.units is None else ", ".join(json.loads(a.units))
            state = " (disabled)" if a.disabled_at else ""
            click.echo(f"{a.name}\t{a.role}\t{units}{state}")
    database.dispose()
    return EXIT_OK


@users.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="enable a disabled account again")
@db_options
@guarded
def users_disable(name: str, enable: bool, db_url: str | None, data_dir: str | None) -> int:
    """Disable an account: its tokens and sessions stop working at once (--enable undoes it)."""
    from .auth import set_disabled

    database = _ready(_settings(db_url, data_dir))
    with database.write() as session:
        set_disabled(session, name, not enable, "cli")
    database.dispose()
    click.echo(f"user '{name}' {'enabled' if enable else 'disabled'}")
    return EXIT_OK


@users.command("unlock")
@click.argument("name")
@db_options
@guarded
def users_unlock(name: str, db_url: str | None, data_dir: str | None) -> int:
    """Lift the login lock of an account after too many failed logins (its failures so far are forgiven)."""
    from .auth import unlock_login

    database = _ready(_settings(db_url, data_dir))
    with database.write() as session:
        unlock_login(session, name, "cli")
    database.dispose()
    click.echo(f"user '{name}' may log in again")
    return EXIT_OK


# ------------------------------------------------------------------------------------------- tokens
@click.group()
def tokens() -> None:
    """API tokens for machine clients (stored hashed; shown once)."""


@tokens.command("create")
@click.argument("name")
@click.option("--label", default="", help="what the token is for (shown in `tokens list`)")
@db_options
@guarded
def tokens_create(name: str, label: str, db_url: str | None, data_dir: str | None) -> int:
    """Create an API token for user NAME and print it (only this once)."""
    from .auth import create_token

    database = _ready(_settings(db_url, data_dir))
    with database.write() as session:
        token_id, token = create_token(session, name, label)
    database.dispose()
    click.echo(f"token {token_id} for '{name}' (shown only now; revoke with `egov-rules tokens revoke "
               f"{token_id}`):", err=True)
    click.echo(token)
    return EXIT_OK


@tokens.command("list")
@db_options
@guarded
def tokens_list(db_url: str | None, data_dir: str | None) -> int:
    """Every token: id, user, label, its first characters, revoked or not."""
    from sqlalchemy import select

    from .models import Account, ApiToken

    database = _ready(_settings(db_url, data_dir))
    with database.read() as session:
        rows = session.execute(select(ApiToken, Account.name).join(Account, Account.id == ApiToken.account_id)
                               .order_by(ApiToken.id)).all()
        for t, user in rows:
            state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
            click.echo(f"{t.id}\t{user}\t{t.prefix}…\t{t.label}\t{state}")
    database.dispose()
    return EXIT_OK


@tokens.command("revoke")
@click.argument("token_id", type=int)
@db_options
@guarded
def tokens_revoke(token_id: int, db_url: str | None, data_dir: str | None) -> int:
    """Revoke a token: requests with it are refused (401) from now on."""
    from .auth import revoke_token

    database = _ready(_settings(db_url, data_dir))
    with database.write() as session:
        revoke_token(session, token_id)
    database.dispose()
    click.echo(f"token {token_id} revoked")
    return EXIT_OK


COMMANDS: tuple[click.Command, ...] = (serve, db, users, tokens)
