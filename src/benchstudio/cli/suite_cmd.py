"""`benchstudio suite`: import BFCL files or MCP tools, validate suite files, print the schema;
create, rename and delete suites on a server (`server_records`).

Exit codes: 0 done, 1 unreadable or invalid input (or an unreachable MCP server). Heavy imports
live inside the commands.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from benchstudio.cli import server_records

app = typer.Typer(
    help="Tool-calling suites: import, validate, schema, sample.", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True)

EXIT_INVALID_INPUT = 1


@app.command("import-bfcl")
def import_bfcl_command(
    questions: Path = typer.Option(
        ...,
        "--questions",
        exists=True,
        dir_okay=False,
        help="BFCL question file (JSON or JSON lines).",
    ),
    answers: Path | None = typer.Option(
        None,
        "--answers",
        exists=True,
        dir_okay=False,
        help="BFCL possible-answer file; entries without an answer become irrelevance cases.",
    ),
    output: Path = typer.Option(..., "--output", dir_okay=False, help="Suite file to write."),
    name: str | None = typer.Option(None, "--name", help="Suite name (default: file name)."),
) -> None:
    """Convert BFCL question (+ possible-answer) files into a BenchStudio suite file."""
    from benchstudio.toolcall.bfcl_import import BfclImportError, import_bfcl, read_entries
    from benchstudio.toolcall.suite_file import save_suite

    try:
        entries = read_entries(questions)
        answer_entries = read_entries(answers) if answers else None
    except BfclImportError as error:
        err_console.print(f"[bold red]Cannot import:[/] {error}")
        raise typer.Exit(EXIT_INVALID_INPUT) from None
    result = import_bfcl(entries, answer_entries, name=name or questions.stem)
    save_suite(result.suite, output)
    cases = result.suite.cases
    irrelevance = sum(1 for case in cases if not case.expects_a_call)
    console.print(f"Imported [bold]{len(cases)}[/] cases ({irrelevance} irrelevance) into {output}")
    if result.skipped:
        console.print(f"[yellow]Skipped {len(result.skipped)} entries:[/]")
        for entry_id, reason in result.skipped[:10]:
            console.print(f"  {entry_id}: {reason}")
        if len(result.skipped) > 10:
            console.print(f"  … and {len(result.skipped) - 10} more")


@app.command("import-mcp")
def import_mcp_command(
    url: str = typer.Option(..., "--url", help="MCP server URL, e.g. http://host:8000/mcp."),
    output: Path = typer.Option(..., "--output", dir_okay=False, help="Suite file to write."),
    tools: str | None = typer.Option(
        None, "--tools", help="Comma-separated tool names to keep (default: all)."
    ),
    transport: str = typer.Option("auto", "--transport", help="auto | streamable-http | sse"),
    name: str | None = typer.Option(None, "--name", help="Suite name (default: server name)."),
    draft_cases: bool = typer.Option(
        True, "--draft-cases/--no-draft-cases", help="Draft one test case per tool."
    ),
    bearer_env: str | None = typer.Option(
        None, "--bearer-env", help="Environment variable holding a bearer token for the server."
    ),
    timeout: float = typer.Option(30.0, "--timeout", min=1.0, help="Seconds for the listing."),
) -> None:
    """List the tools of an MCP server (streamable HTTP or SSE) and write them as a suite."""
    import asyncio
    import os

    from benchstudio.core.net import EgressPolicy
    from benchstudio.providers.mcp_client import McpImportError
    from benchstudio.toolcall.mcp_import import import_mcp
    from benchstudio.toolcall.suite_file import save_suite

    if transport not in ("auto", "streamable-http", "sse"):
        err_console.print(f"[bold red]Unknown transport[/] {transport!r}")
        raise typer.Exit(EXIT_INVALID_INPUT)
    headers: dict[str, str] = {}
    if bearer_env:
        token = os.environ.get(bearer_env)
        if not token:
            err_console.print(f"[bold red]Environment variable {bearer_env} is not set[/]")
            raise typer.Exit(EXIT_INVALID_INPUT)
        headers["Authorization"] = f"Bearer {token}"
    wanted = [item.strip() for item in tools.split(",") if item.strip()] if tools else None
    try:
        # The CLI runs on the operator's machine: local servers are allowed (dev egress mode).
        result = asyncio.run(
            import_mcp(
                url,
                policy=EgressPolicy.from_allow_list("dev"),
                transport=transport,  # type: ignore[arg-type]  # checked above
                headers=headers,
                select=wanted,
                draft_cases=draft_cases,
                name=name,
                timeout_s=timeout,
            )
        )
    except (McpImportError, ValueError) as error:
        err_console.print(f"[bold red]Cannot import:[/] {error}")
        raise typer.Exit(EXIT_INVALID_INPUT) from None
    save_suite(result.suite, output)
    suite = result.suite
    console.print(
        f"Imported [bold]{len(suite.tools)}[/] tools and drafted {len(suite.cases)} cases "
        f"into {output}"
    )
    renamed = {safe: original for safe, original in result.name_map.items() if safe != original}
    for safe, original in renamed.items():
        console.print(f"  renamed {original!r} -> {safe}")
    for tool_name, reason in result.skipped:
        console.print(f"[yellow]  skipped {tool_name!r}: {reason}[/]")
    if result.unvalued_arguments:
        console.print(
            f"[yellow]{len(result.unvalued_arguments)} required argument(s) had no example "
            "value; their drafts accept any value. Edit the cases before relying on them.[/]"
        )


@app.command("validate")
def validate_command(suite: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Check a suite file against the format and report what it holds."""
    from benchstudio.toolcall.suite_file import SuiteFileError, load_suite

    try:
        loaded = load_suite(suite)
    except SuiteFileError as error:
        err_console.print(f"[bold red]Invalid suite:[/] {error}")
        raise typer.Exit(EXIT_INVALID_INPUT) from None
    console.print(
        f"[green]Valid[/]: {loaded.name} v{loaded.version}, {len(loaded.cases)} cases, "
        f"{len(loaded.tools)} suite-level tools"
    )


@app.command("schema")
def schema_command(
    output: Path | None = typer.Option(None, "--output", dir_okay=False),
) -> None:
    """Print (or write) the JSON Schema of the suite file format."""
    from benchstudio.toolcall.suite_file import suite_json_schema

    text = json.dumps(suite_json_schema(), indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@app.command("sample")
def sample_command(
    output: Path = typer.Option(..., "--output", dir_okay=False),
) -> None:
    """Write the sample suite shipped with BenchStudio."""
    from benchstudio.toolcall.samples import sample_suite_text

    output.write_text(sample_suite_text(), encoding="utf-8")
    console.print(f"Wrote the sample suite to {output}")


# Suites kept on a server (the commands above work on local files).
app.command("create")(server_records.create_suite)
app.command("rename")(server_records.rename_suite)
app.command("delete")(server_records.delete_suite)
