"""Settings and logging for CLI commands that touch the platform.

Imports are local so that merely loading the CLI stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from benchstudio.config import Settings
    from benchstudio.storage.engine import DatabaseConfig

err_console = Console(stderr=True)


def load_settings() -> Settings:
    """Resolve settings (and secrets) or exit 1 with the reason."""
    from benchstudio.config import ConfigError, get_settings
    from benchstudio.core.logging_setup import configure_logging

    try:
        settings = get_settings()
    except ConfigError as exc:
        err_console.print(f"[bold red]Refusing to start:[/] {exc}")
        raise typer.Exit(1) from exc
    configure_logging(settings.log_level, json_output=settings.log_json)
    return settings


def database_config(settings: Settings) -> DatabaseConfig:
    from benchstudio.storage.engine import DatabaseConfig

    return DatabaseConfig(url=settings.database_url, schema=settings.database_schema)
