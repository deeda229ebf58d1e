"""`benchstudio suite`: import BFCL files, validate suite files, print the file format's schema.

Exit codes: 0 done, 1 unreadable or invalid input. Heavy imports live inside the commands.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

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
