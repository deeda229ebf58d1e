"""`benchstudio db`: migrations and online backups."""

from __future__ import annotations

from pathlib import Path

import typer

from benchstudio.cli.runtime import database_config, err_console, load_settings

app = typer.Typer(help="Database migrations and backups.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration."""
    from benchstudio.storage.migrate import upgrade_to_head

    settings = load_settings()
    upgrade_to_head(database_config(settings))
    err_console.print("[green]Database is at the newest schema.[/]")


@app.command("backup")
def backup(
    output: Path = typer.Argument(..., help="Where to write the backup file."),
) -> None:
    """Copy the SQLite database while the server keeps running (SQLite online backup)."""
    from benchstudio.storage.backup import BackupError, backup_sqlite

    settings = load_settings()
    try:
        pages = backup_sqlite(settings.database_url, output)
    except BackupError as exc:
        err_console.print(f"[bold red]Backup failed:[/] {exc}")
        raise typer.Exit(1) from exc
    err_console.print(f"[green]Backed up {pages} pages to {output}[/]")
