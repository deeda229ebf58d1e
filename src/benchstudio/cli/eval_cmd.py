"""`benchstudio eval`: score recorded tool-calling outputs offline (`score`); `run` is live.

Exit codes: 0 scored (failing cases are results, not errors), 1 unreadable or invalid input,
2 for a command that is not built yet. Heavy imports live inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from benchstudio.cli.not_built import refuse_not_built

if TYPE_CHECKING:
    from benchstudio.toolcall.aggregate import ModelSummary

app = typer.Typer(
    help="Tool-calling evaluations: score recorded outputs, run suites.", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True)

EXIT_INVALID_INPUT = 1
PROFILES = ("bfcl", "strict", "lenient")


@app.command("score")
def score_command(
    suite: Path = typer.Option(
        ..., "--suite", exists=True, dir_okay=False, help="Suite file (BenchStudio JSON format)."
    ),
    outputs: Path = typer.Option(
        ...,
        "--outputs",
        exists=True,
        dir_okay=False,
        help="Recorded outputs, one JSON object per line.",
    ),
    profile: str = typer.Option("lenient", "--profile", help="bfcl | strict | lenient"),
    output: Path | None = typer.Option(
        None, "--output", dir_okay=False, help="Write one verdict per line (JSON lines)."
    ),
    model: str = typer.Option("", "--model", help="Model name shown in the summary."),
) -> None:
    """Score recorded model outputs against a suite, without calling any model."""
    from benchstudio.toolcall.aggregate import summarize_verdicts
    from benchstudio.toolcall.matching import SemanticScorerMissingError
    from benchstudio.toolcall.offline import score_recorded
    from benchstudio.toolcall.profiles import get_profile
    from benchstudio.toolcall.suite_file import (
        SuiteFileError,
        load_suite,
        read_outputs,
        write_verdicts,
    )

    if profile not in PROFILES:
        err_console.print(f"[bold red]Unknown profile[/] {profile!r}; use one of {PROFILES}")
        raise typer.Exit(EXIT_INVALID_INPUT)
    try:
        loaded = load_suite(suite)
        result = score_recorded(loaded, list(read_outputs(outputs)), get_profile(profile))
    except (SuiteFileError, SemanticScorerMissingError) as error:
        err_console.print(f"[bold red]Cannot score:[/] {error}")
        raise typer.Exit(EXIT_INVALID_INPUT) from None
    if output is not None:
        write_verdicts(result.verdicts, output)
    _warn_about_coverage(result.missing_case_ids, result.unknown_case_ids)
    summary = summarize_verdicts(result.verdicts, model=model or outputs.stem, run_id=str(outputs))
    _print_summary(summary, profile)
    if output is not None:
        console.print(f"Verdicts written to {output}")


def _warn_about_coverage(missing: list[str], unknown: list[str]) -> None:
    if missing:
        err_console.print(
            f"[yellow]{len(missing)} case(s) have no recorded output and count as failed[/]"
            f" (first: {missing[0]})"
        )
    if unknown:
        err_console.print(
            f"[yellow]{len(unknown)} output line(s) name cases not in the suite; ignored[/]"
            f" (first: {unknown[0]})"
        )


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _print_summary(summary: ModelSummary, profile: str) -> None:
    from rich.table import Table

    rate = summary.pass_rate
    interval = rate.ci95
    ci = f"{_percent(interval[0])}–{_percent(interval[1])}" if interval else "–"
    table = Table(title=f"{summary.model} · profile {profile} · {summary.cases} cases")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_row("pass rate", f"{_percent(rate.rate)} ({rate.successes}/{rate.total})", ci)
    for label, metric in (
        ("tool selection F1", summary.tool_selection_f1),
        ("argument accuracy", summary.argument_accuracy),
        ("schema-valid calls", summary.schema_valid_rate),
    ):
        low_high = metric.ci95
        span = f"{_percent(low_high[0])}–{_percent(low_high[1])}" if low_high else "–"
        table.add_row(label, _percent(metric.mean), span)
    console.print(table)
    categories = Table(title="by category")
    categories.add_column("category")
    categories.add_column("pass", justify="right")
    categories.add_column("rate", justify="right")
    for name, proportion in summary.by_category.items():
        categories.add_row(
            name, f"{proportion.successes}/{proportion.total}", _percent(proportion.rate)
        )
    console.print(categories)
    if summary.error_counts:
        errors = Table(title="errors")
        errors.add_column("category")
        errors.add_column("cases", justify="right")
        for name, count in summary.error_counts.items():
            errors.add_row(name, str(count))
        console.print(errors)


@app.command("run")
def run_command(
    suite: Path = typer.Option(..., "--suite"),
    base_url: str = typer.Option(..., "--base-url"),
    model: str = typer.Option(..., "--model"),
    protocol: str = typer.Option("openai", "--protocol"),
    concurrency: int = typer.Option(4, "--concurrency"),
    profile: str = typer.Option("lenient", "--profile"),
    output: Path | None = typer.Option(None, "--output"),
) -> None:
    """Run a suite live against a model (not built yet)."""
    refuse_not_built("eval run")
