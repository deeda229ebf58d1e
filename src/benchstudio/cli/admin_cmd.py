"""`benchstudio admin`: operator commands."""

from __future__ import annotations

import sys

import typer

from benchstudio.cli.runtime import database_config, err_console, load_settings
from benchstudio.cli.wiring import installed_wiring

app = typer.Typer(help="Operator commands.", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@app.command("create-user")
def create_user(
    email: str = typer.Option(..., help="The new user's email."),
    role: str = typer.Option("user", help="admin or user (the first user is always admin)."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Create a user account (passwords are never taken as arguments)."""
    import asyncio

    from pydantic import ValidationError

    from benchstudio.accounts.schemas import NewUser
    from benchstudio.accounts.service import create_user as create
    from benchstudio.core.errors import AppError
    from benchstudio.core.passwords import Argon2Params, PasswordHasher
    from benchstudio.storage.engine import open_database
    from benchstudio.storage.migrate import upgrade_to_head
    from benchstudio.storage.service_context import ServiceContext

    settings = load_settings()
    try:
        new_user = NewUser(email=email, password=_read_password(password_stdin), role=role)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        err_console.print(f"[bold red]Invalid input:[/] {problems}")
        raise typer.Exit(2) from exc
    db_config = database_config(settings)
    if settings.is_sqlite:
        upgrade_to_head(db_config)
    hasher = PasswordHasher(Argon2Params(settings.argon2_time_cost, settings.argon2_memory_kib))
    hooks = installed_wiring().user_created_hooks

    async def _run() -> None:
        db = open_database(db_config)
        try:
            ctx = ServiceContext.system(db)  # the operator at the console: no user acts
            user = await create(ctx, new_user, hasher=hasher, on_created=hooks)
        finally:
            await db.dispose()
        err_console.print(f"[green]Created {user.role} {user.email}[/] (id {user.id})")

    try:
        asyncio.run(_run())
    except AppError as exc:
        err_console.print(f"[bold red]{exc.message}[/]")
        raise typer.Exit(1) from exc


@app.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt every stored provider key under the newest vault key.

    Put the new key first in BENCHSTUDIO_VAULT_KEYS (comma-separated, old keys after it), run
    this, then drop the old keys once it reports success.
    """
    import asyncio

    from benchstudio.credentials.service import Vault, VaultError, rotate_all
    from benchstudio.schedules.alerts.service.webhooks import rotate_vault_keys
    from benchstudio.storage.engine import open_database
    from benchstudio.storage.migrate import upgrade_to_head
    from benchstudio.storage.service_context import ServiceContext

    settings = load_settings()
    db_config = database_config(settings)
    if settings.is_sqlite:
        upgrade_to_head(db_config)
    try:
        vault = Vault(settings.vault_key_list())
    except VaultError as exc:
        err_console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(1) from exc

    async def _run() -> int:
        db = open_database(db_config)
        try:
            system = ServiceContext.system(db)
            return await rotate_all(system, vault) + await rotate_vault_keys(system, vault)
        finally:
            await db.dispose()

    try:
        count = asyncio.run(_run())
    except VaultError as exc:
        err_console.print(f"[bold red]Rotation failed, nothing changed:[/] {exc}")
        raise typer.Exit(1) from exc
    keys = len(settings.vault_key_list())
    err_console.print(
        f"[green]Re-encrypted {count} stored secret(s)[/] under the newest of {keys} key(s)."
    )
