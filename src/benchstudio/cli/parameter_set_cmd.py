"""`benchstudio parameter-set`: list, show, create and delete the parameter sets of your
account on a BenchStudio server (token from BENCHSTUDIO_TOKEN).

A parameter set is a named bundle of request parameters that benchmark and eval targets can
name (`parameter_set_id`); the run's own parameters win over the set's. Exit codes: 0 done,
1 the server refused (the message says why, e.g. a value the provider registry rejects).
"""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Parameter sets (named request parameters) on a server.", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True)

EXIT_REFUSED = 1
SERVER_HELP = "BenchStudio server URL (token from BENCHSTUDIO_TOKEN)."


def parse_param(text: str) -> tuple[str, Any]:
    """`name=value`: the value read as JSON when it can be (0.7, true, ["a"]), else as text."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise typer.BadParameter(f"{text!r}: write name=value, e.g. top_p=0.9")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return name.strip(), value


def _shown(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={json.dumps(v)}" for k, v in params.items()) or "—"


def _call(server: str, action: Any) -> Any:
    from benchstudio.cli.server_client import ServerClient, ServerError, token_from_env

    try:
        with ServerClient(server, token_from_env()) as client:
            return action(client)
    except ServerError as exc:
        err_console.print(f"[bold red]server:[/] {exc}")
        raise typer.Exit(EXIT_REFUSED) from None


@app.command("list")
def list_command(server: str = typer.Option(..., help=SERVER_HELP)) -> None:
    """List your parameter sets."""
    sets = _call(server, lambda c: c.parameter_sets())
    if not sets:
        console.print("No parameter sets yet. Create one with `benchstudio parameter-set create`.")
        return
    table = Table("id", "name", "model", "parameters")
    for item in sets:
        table.add_row(
            item["id"], item["name"], item.get("model_ref_id") or "any", _shown(item["params"])
        )
    console.print(table)


@app.command("show")
def show_command(
    set_id: str = typer.Argument(..., help="The parameter set's id."),
    server: str = typer.Option(..., help=SERVER_HELP),
) -> None:
    """Print one parameter set as JSON."""
    console.print_json(json.dumps(_call(server, lambda c: c.parameter_set(set_id))))


@app.command("create")
def create_command(
    name: str = typer.Option(..., help="A name to pick the set by."),
    param: list[str] = typer.Option(
        [], "--param", "-p", help="name=value, repeatable (e.g. -p temperature=0.2)."
    ),
    model: str | None = typer.Option(
        None, help="The catalog model id the set is for (default: any model)."
    ),
    description: str = typer.Option("", help="What the set is for."),
    server: str = typer.Option(..., help=SERVER_HELP),
) -> None:
    """Create a parameter set; the server checks each value against the provider registry."""
    params = dict(parse_param(p) for p in param)
    body = {"name": name, "description": description, "model_ref_id": model, "params": params}
    created = _call(server, lambda c: c.create_parameter_set(body))
    console.print(f"Created parameter set [bold]{created['name']}[/] ({created['id']})")


@app.command("delete")
def delete_command(
    set_id: str = typer.Argument(..., help="The parameter set's id."),
    server: str = typer.Option(..., help=SERVER_HELP),
) -> None:
    """Delete a parameter set (past runs keep the values they ran with)."""
    _call(server, lambda c: c.delete_parameter_set(set_id))
    console.print(f"Deleted parameter set {set_id}")
