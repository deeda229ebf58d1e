"""The one way a command that does not exist yet tells the user so."""

import typer
from rich.console import Console

NOT_BUILT_EXIT_CODE = 2


def refuse_not_built(command: str) -> None:
    """Exit with status 2 and say plainly that the command is not built yet."""
    Console(stderr=True).print(
        f"[bold red]benchstudio {command}[/] is not built yet in this version; "
        "see the project's open issues."
    )
    raise typer.Exit(NOT_BUILT_EXIT_CODE)
