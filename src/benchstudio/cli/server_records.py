"""Suites and eval runs kept on a BenchStudio server: `suite create|rename|delete` and
`eval delete`, each with `--server URL` (token from BENCHSTUDIO_TOKEN).

Exit codes: 0 done, 1 the server refused (not found, a duplicate, a run still going) or could
not be reached, 2 a deletion was not confirmed. `--output json` prints the server's answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

import typer
from rich.console import Console

from benchstudio.cli.server_client import ServerClient, ServerError, token_from_env

console = Console()
err_console = Console(stderr=True)

EXIT_REFUSED = 1
EXIT_NOT_CONFIRMED = 2
OutputFormat = Literal["text", "json"]

SERVER_OPTION = typer.Option(..., help="BenchStudio server URL (token from BENCHSTUDIO_TOKEN).")
OUTPUT_OPTION = typer.Option("text", "--output", help="text | json")
YES_OPTION = typer.Option(False, "--yes", "-y", help="Delete without asking.")


def _on_server(server: str, action: Callable[[ServerClient], Any]) -> Any:
    try:
        with ServerClient(server, token_from_env()) as client:
            return action(client)
    except ServerError as exc:
        err_console.print(f"[bold red]server:[/] {exc}")
        raise typer.Exit(EXIT_REFUSED) from None


def _print_suite(suite: dict[str, Any], verb: str, output: OutputFormat) -> None:
    if output == "json":
        console.print_json(json.dumps(suite))
        return
    console.print(
        f"{verb} suite [bold]{suite['name']}[/] (id {suite['id']}, version {suite['version']},"
        f" {suite['case_count']} cases)"
    )


def _confirm(question: str, yes: bool) -> None:
    if not yes and not typer.confirm(question, default=False):
        err_console.print("Nothing deleted.")
        raise typer.Exit(EXIT_NOT_CONFIRMED)


def create_suite(
    name: str = typer.Option(..., "--name", help="The new suite's name."),
    description: str = typer.Option("", "--description", help="What the suite checks."),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Create a blank suite on a server (add tools and cases in the web app or by import)."""
    suite = _on_server(server, lambda client: client.create_suite(name, description))
    _print_suite(suite, "Created", output)


def rename_suite(
    suite_id: str = typer.Argument(..., help="The suite's id (shown in its URL)."),
    name: str = typer.Argument(..., help="The new name."),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Rename a suite on a server (a new version; runs keep the name they ran with)."""
    suite = _on_server(server, lambda client: client.patch_suite(suite_id, {"name": name}))
    _print_suite(suite, "Renamed", output)


def delete_suite(
    suite_id: str = typer.Argument(..., help="The suite's id (shown in its URL)."),
    server: str = SERVER_OPTION,
    yes: bool = YES_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Delete a suite on a server (its finished eval runs stay in the history).

    Refused while one of its runs is still going: cancel it first."""
    _confirm(f"Delete suite {suite_id}? Its versions go; its finished runs stay.", yes)
    _on_server(server, lambda client: client.delete_suite(suite_id))
    _print_deleted("suite", suite_id, output)


def delete_eval_run(
    run_id: str = typer.Argument(..., help="The eval run's id (shown in its URL)."),
    server: str = SERVER_OPTION,
    yes: bool = YES_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Delete a finished eval run and its case results on a server (cancel a running one)."""
    _confirm(f"Delete eval run {run_id} and all its case results?", yes)
    _on_server(server, lambda client: client.delete_eval_run(run_id))
    _print_deleted("eval_run", run_id, output)


def _print_deleted(kind: str, object_id: str, output: OutputFormat) -> None:
    if output == "json":
        console.print_json(json.dumps({"deleted": kind, "id": object_id}))
    else:
        console.print(f"Deleted {kind.replace('_', ' ')} {object_id}")
