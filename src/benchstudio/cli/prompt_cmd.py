"""`benchstudio prompt`: the prompt library of your account on a BenchStudio server (token from
BENCHSTUDIO_TOKEN): list, show, create, new-version, diff, copy, delete.

Texts come from a file (`--body-file`, `--user-prompt-file`, `--system-prompt-file`; `-` reads
standard input) so multi-line prompts survive the shell. Built-in judge prompts
(`builtin-judge-…`) are read-only: `copy` one to edit it. Exit codes: 0 done, 1 the server
refused (not found, read-only, an empty text) or could not be reached. `--output json` prints
the server's answer.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(help="The prompt library (versioned prompts) on a server.", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)

EXIT_REFUSED = 1
OutputFormat = Literal["text", "json"]
SERVER_OPTION = typer.Option(..., help="BenchStudio server URL (token from BENCHSTUDIO_TOKEN).")
OUTPUT_OPTION = typer.Option("text", "--output", help="text | json")
KIND_HELP = "system | judge | meta | benchmark"


def _on_server(server: str, action: Callable[[Any], Any]) -> Any:
    from benchstudio.cli.server_client import ServerClient, ServerError, token_from_env

    try:
        with ServerClient(server, token_from_env()) as client:
            return action(client)
    except ServerError as exc:
        err_console.print(f"[bold red]server:[/] {exc}")
        raise typer.Exit(EXIT_REFUSED) from None


def _read(path: Path | None) -> str:
    if path is None:
        return ""
    if str(path) == "-":
        return sys.stdin.read()
    return path.read_text(encoding="utf-8")


def _text_body(
    body_file: Path | None, user_file: Path | None, system_file: Path | None, note: str
) -> dict[str, str]:
    return {
        "body": _read(body_file),
        "user_prompt": _read(user_file),
        "system_prompt": _read(system_file),
        "note": note,
    }


def _json(value: Any) -> None:
    console.print_json(json.dumps(value))


def _print_detail(detail: dict[str, Any], verb: str) -> None:
    flag = " (built-in, read-only)" if detail.get("builtin") else ""
    console.print(
        f"{verb} [bold]{escape(detail['name'])}[/] (id {detail['id']}, {detail['kind']}, "
        f"version {detail['latest_version']}){flag}"
    )


BODY_FILE = typer.Option(None, "--body-file", help="The text (system, judge, meta kinds).")
USER_FILE = typer.Option(None, "--user-prompt-file", help="The user prompt (benchmark kind).")
SYSTEM_FILE = typer.Option(None, "--system-prompt-file", help="The system prompt (benchmark).")


@app.command("list")
def list_command(
    kind: str | None = typer.Option(None, help=KIND_HELP),
    tag: str | None = typer.Option(None, help="Only entries with this tag."),
    query: str | None = typer.Option(None, "--query", "-q", help="Words in name or description."),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """List the built-in prompts and yours."""
    filters = {k: v for k, v in (("kind", kind), ("tag", tag), ("q", query)) if v}
    entries = _on_server(server, lambda c: c.prompts(filters))
    if output == "json":
        _json(entries)
        return
    if not entries:
        console.print("No prompts match. Create one with `benchstudio prompt create`.")
        return
    table = Table("id", "kind", "name", "version", "tags")
    for e in entries:
        name = escape(e["name"]) + (" [dim](built-in)[/]" if e["builtin"] else "")
        table.add_row(e["id"], e["kind"], name, str(e["latest_version"]), ", ".join(e["tags"]))
    console.print(table)


@app.command("show")
def show_command(
    entry_id: str = typer.Argument(..., help="The prompt's id."),
    version: int | None = typer.Option(None, help="A version (default: the latest)."),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Print a prompt's text (and, for the latest, its versions)."""
    found = _on_server(server, lambda c: c.prompt(entry_id, version))
    if output == "json":
        _json(found)
        return
    text = found if version is not None else found["latest"]
    if version is None:
        _print_detail(found, "Prompt")
        for v in found["versions"]:
            console.print(f"  v{v['version']}  {v['created_at'][:19]}  {escape(v['note'])}")
    console.print(f"[dim]-- version {text['version']} --[/]")
    for label in ("system_prompt", "user_prompt", "body"):
        if text[label]:
            console.print(f"[bold]{label}[/]\n{escape(text[label])}")
    if text["placeholders"]:
        console.print("placeholders: " + ", ".join("{" + p + "}" for p in text["placeholders"]))


@app.command("create")
def create_command(
    name: str = typer.Option(..., help="The prompt's name."),
    kind: str = typer.Option(..., help=KIND_HELP),
    body_file: Path | None = BODY_FILE,
    user_prompt_file: Path | None = USER_FILE,
    system_prompt_file: Path | None = SYSTEM_FILE,
    description: str = typer.Option("", help="What the prompt is for."),
    tag: list[str] = typer.Option([], "--tag", "-t", help="A tag, repeatable."),
    note: str = typer.Option("", help="A note on the first version."),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Create a prompt (version 1)."""
    body = _text_body(body_file, user_prompt_file, system_prompt_file, note)
    body |= {"name": name, "kind": kind, "description": description}
    created = _on_server(
        server, lambda c: c.prompt_action("POST", None, json={**body, "tags": tag})
    )
    _json(created) if output == "json" else _print_detail(created, "Created")


@app.command("new-version")
def new_version_command(
    entry_id: str = typer.Argument(..., help="The prompt's id."),
    body_file: Path | None = BODY_FILE,
    user_prompt_file: Path | None = USER_FILE,
    system_prompt_file: Path | None = SYSTEM_FILE,
    note: str = typer.Option("", help="What changed, and why."),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Save a new version of one of your prompts (earlier versions are kept)."""
    body = _text_body(body_file, user_prompt_file, system_prompt_file, note)
    saved = _on_server(server, lambda c: c.prompt_action("POST", entry_id, "/versions", json=body))
    _json(saved) if output == "json" else _print_detail(saved, "Saved")


@app.command("diff")
def diff_command(
    entry_id: str = typer.Argument(..., help="The prompt's id."),
    from_version: int | None = typer.Option(None, "--from", help="Default: latest - 1."),
    to_version: int | None = typer.Option(None, "--to", help="Default: the latest."),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """A unified diff between two versions."""
    params = {k: v for k, v in (("from", from_version), ("to", to_version)) if v is not None}
    diff = _on_server(server, lambda c: c.prompt_action("GET", entry_id, "/diff", params=params))
    if output == "json":
        _json(diff)
        return
    if not diff["unified"]:
        console.print(f"Versions {diff['from_version']} and {diff['to_version']} are the same.")
        return
    colours = {"+": "green", "-": "red", "@": "cyan"}
    for line in diff["unified"].splitlines():
        colour = colours.get(line[:1])
        console.print(f"[{colour}]{escape(line)}[/]" if colour else escape(line), highlight=False)


@app.command("copy")
def copy_command(
    entry_id: str = typer.Argument(..., help="The prompt to copy (a built-in or yours)."),
    name: str | None = typer.Option(None, help="The copy's name (default: Copy of …)."),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Copy a prompt into a new one of yours (how built-in judge prompts are edited)."""
    body = {"name": name} if name else {}
    copied = _on_server(server, lambda c: c.prompt_action("POST", entry_id, "/copy", json=body))
    _json(copied) if output == "json" else _print_detail(copied, "Copied into")


@app.command("delete")
def delete_command(
    entry_id: str = typer.Argument(..., help="The prompt's id."),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Delete (archive) one of your prompts; what ran with it keeps its versions."""
    _on_server(server, lambda c: c.prompt_action("DELETE", entry_id))
    _json({"deleted": entry_id}) if output == "json" else console.print(f"Deleted {entry_id}")
