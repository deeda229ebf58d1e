"""`benchstudio eval`: score recorded tool-calling outputs offline (`score`), or run live (`run`).

Exit codes: 0 scored (failing cases are results, not errors), 1 unreadable or invalid input,
130 cancelled with Ctrl-C (finished cases are still written). Heavy imports live inside the
commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from benchstudio.cli import server_records
from benchstudio.cli.eval_run_options import (
    LiveOptions,
    apply_parameter_set,
    build_targets,
    confirm_placeholders,
    parse_params,
)
from benchstudio.cli.eval_semantic import (
    SemanticFlags,
    SemanticOptions,
    embedding_base_url_option,
    embedding_key_option,
    embedding_model_option,
    judge_base_url_option,
    judge_key_option,
    judge_model_option,
    judge_protocol_option,
    score_offline,
    semantic_prepass,
    source_option,
    threshold_option,
)
from benchstudio.cli.eval_server import ExperimentRunOptions, run_experiment_command

if TYPE_CHECKING:
    from datetime import datetime

    from benchstudio.toolcall.aggregate import ModelSummary
    from benchstudio.toolcall.live.records import LiveCaseResult
    from benchstudio.toolcall.live.runner import LiveEvalRunner
    from benchstudio.toolcall.schemas import Suite

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
    semantic_source: str | None = source_option(),
    embedding_model: str | None = embedding_model_option(),
    embedding_base_url: str | None = embedding_base_url_option("required with the model"),
    embedding_api_key_env: str | None = embedding_key_option(),
    judge_model: str | None = judge_model_option(),
    judge_base_url: str | None = judge_base_url_option("required with the model"),
    judge_api_key_env: str | None = judge_key_option(),
    judge_protocol: str | None = judge_protocol_option("default: openai"),
    semantic_threshold: float = threshold_option(),
) -> None:
    """Score recorded model outputs against a suite, without calling any model (except the
    similarity model for `semantic` arguments: embeddings or a chat model as the judge)."""
    import asyncio

    from benchstudio.toolcall.aggregate import summarize_verdicts
    from benchstudio.toolcall.matching import SemanticScorerMissingError
    from benchstudio.toolcall.suite_file import (
        SuiteFileError,
        load_suite,
        write_verdicts,
    )

    if profile not in PROFILES:
        err_console.print(f"[bold red]Unknown profile[/] {profile!r}; use one of {PROFILES}")
        raise typer.Exit(EXIT_INVALID_INPUT)
    semantic = SemanticFlags(
        semantic_source,
        embedding_model,
        embedding_base_url,
        embedding_api_key_env,
        judge_model,
        judge_base_url,
        judge_api_key_env,
        judge_protocol,
        semantic_threshold,
    ).resolve(None, "openai")
    try:
        loaded = load_suite(suite)
        result = asyncio.run(score_offline(loaded, outputs, profile, semantic, err_console))
    except (SuiteFileError, SemanticScorerMissingError) as error:
        err_console.print(f"[bold red]Cannot score:[/] {error}")
        raise typer.Exit(EXIT_INVALID_INPUT) from None
    if output is not None:
        write_verdicts(result.verdicts, output)
    _warn_about_coverage(result.missing_case_ids, result.unknown_case_ids)
    summary = summarize_verdicts(result.verdicts, model=model or outputs.stem, run_id=str(outputs))
    print_summary(summary, profile)
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


def print_summary(summary: ModelSummary, profile: str) -> None:
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
    suite: Path | None = typer.Option(
        None, "--suite", exists=True, dir_okay=False, help="Suite file (local runs)."
    ),
    base_url: str | None = typer.Option(
        None, "--base-url", help="Endpoint, e.g. http://host:8000/v1 (local runs)."
    ),
    model: list[str] = typer.Option(
        [],
        "--model",
        help="Model name; repeat to compare models. With --experiment: some of its models "
        "(label or model id; default all).",
    ),
    protocol: str = typer.Option("openai", "--protocol", help="openai | anthropic | gemini"),
    provider: str | None = typer.Option(
        None, "--provider", help="Provider for parameter rules (default: the protocol)."
    ),
    api_key_env: str | None = typer.Option(
        None, "--api-key-env", help="Environment variable holding the API key."
    ),
    concurrency: int | None = typer.Option(
        None, "--concurrency", min=1, max=256, help="Parallel requests (default 4; 2 if local)."
    ),
    profile: str | None = typer.Option(
        None, "--profile", help="bfcl | strict | lenient (default lenient; the experiment's)."
    ),
    temperature: float | None = typer.Option(None, "--temperature"),
    tool_choice: str | None = typer.Option(
        None, "--tool-choice", help="auto | required | none | a tool name to force."
    ),
    max_tokens: int | None = typer.Option(None, "--max-tokens", min=1),
    top_p: float | None = typer.Option(None, "--top-p", min=0.0, max=1.0),
    seed: int | None = typer.Option(None, "--seed", help="Sampling seed, where the model has one."),
    param: list[str] = typer.Option(
        [], "--param", help="Another request parameter as name=value (repeat), e.g. top_k=40."
    ),
    system_prompt: str | None = typer.Option(
        None, "--system-prompt", help="Replaces the suite's system prompt."
    ),
    parameter_set: str | None = typer.Option(
        None,
        "--parameter-set",
        help="A parameter set (name or id) read from --server, for every model; flags win.",
    ),
    server: str | None = typer.Option(
        None,
        "--server",
        help="BenchStudio server (BENCHSTUDIO_TOKEN): reads --parameter-set; runs --experiment.",
    ),
    experiment: str | None = typer.Option(
        None,
        "--experiment",
        help="Run on --server under this experiment: its suite version, profile and models.",
    ),
    yes: bool = typer.Option(
        False, "--yes", "-y", help="Run without asking when cases still hold placeholders."
    ),
    timeout: float = typer.Option(120.0, "--timeout", min=1.0, help="Seconds per request."),
    attempts: int = typer.Option(3, "--attempts", min=1, max=10, help="Tries per request."),
    output: Path | None = typer.Option(
        None, "--output", dir_okay=False, help="Write every request, response and verdict (JSON)."
    ),
    verdicts: Path | None = typer.Option(
        None, "--verdicts", dir_okay=False, help="Also write verdicts as JSON lines."
    ),
    semantic_source: str | None = source_option(),
    embedding_model: str | None = embedding_model_option(),
    embedding_base_url: str | None = embedding_base_url_option("default: --base-url"),
    embedding_api_key_env: str | None = embedding_key_option(),
    judge_model: str | None = judge_model_option(),
    judge_base_url: str | None = judge_base_url_option("default: --base-url"),
    judge_api_key_env: str | None = judge_key_option(),
    judge_protocol: str | None = judge_protocol_option("default: --protocol"),
    semantic_threshold: float = threshold_option(),
) -> None:
    """Run a suite live against one or more models and score every case as it finishes; with
    `--server URL --experiment ID`, on the server under that experiment."""
    import asyncio
    import os

    params = parse_params(param)
    params.update({k: v for k, v in (("top_p", top_p), ("seed", seed)) if v is not None})
    if experiment:
        server_run = ExperimentRunOptions(
            experiment, model, profile, temperature, max_tokens, tool_choice, system_prompt,
            params, parameter_set, concurrency, timeout, output,
        )  # fmt: skip
        local = (suite, base_url, api_key_env, verdicts)
        run_experiment_command(server, server_run, local, console, err_console)
        return
    if suite is None or base_url is None or not model:
        err_console.print("[bold red]A local run needs --suite, --base-url and --model[/]")
        raise typer.Exit(EXIT_INVALID_INPUT)
    profile = profile or "lenient"
    if profile not in PROFILES:
        err_console.print(f"[bold red]Unknown profile[/] {profile!r}; use one of {PROFILES}")
        raise typer.Exit(EXIT_INVALID_INPUT)
    api_key = None
    if api_key_env:
        api_key = os.environ.get(api_key_env)
        if not api_key:
            err_console.print(f"[bold red]Environment variable {api_key_env} is not set[/]")
            raise typer.Exit(EXIT_INVALID_INPUT)
    options = LiveOptions(
        suite=suite,
        base_url=base_url,
        models=model,
        protocol=protocol,
        provider=provider,
        api_key=api_key,
        concurrency=concurrency,
        profile=profile,
        temperature=temperature,
        tool_choice=tool_choice,
        max_tokens=max_tokens,
        timeout_s=timeout,
        attempts=attempts,
        output=output,
        verdicts=verdicts,
        system_prompt=system_prompt,
        params=params,
        assume_yes=yes,
        semantic=SemanticFlags(
            semantic_source,
            embedding_model,
            embedding_base_url,
            embedding_api_key_env,
            judge_model,
            judge_base_url,
            judge_api_key_env,
            judge_protocol,
            semantic_threshold,
        ).resolve(base_url, protocol),
    )
    if parameter_set:
        options = apply_parameter_set(
            options, _read_parameter_set(parameter_set, server), err_console
        )
    try:
        code = asyncio.run(_run_live(options))
    except KeyboardInterrupt:
        err_console.print("[yellow]Cancelled; finished cases were kept.[/]")
        raise typer.Exit(130) from None
    if code:
        raise typer.Exit(code)


def _read_parameter_set(name_or_id: str, server: str | None) -> dict[str, Any]:
    from benchstudio.cli.server_client import ServerClient, ServerError, token_from_env

    if not server:
        # A local run has no catalog: the sets live on a server.
        err_console.print(
            "[bold red]--parameter-set needs --server[/] (parameter sets are stored on a "
            "BenchStudio server)"
        )
        raise typer.Exit(EXIT_INVALID_INPUT)
    try:
        with ServerClient(server, token_from_env()) as client:
            return client.resolve_parameter_set(name_or_id)
    except ServerError as exc:
        err_console.print(f"[bold red]server:[/] {exc}")
        raise typer.Exit(EXIT_INVALID_INPUT) from None


def _load_for_run(options: LiveOptions) -> Suite:
    from benchstudio.providers.factory import PROTOCOLS
    from benchstudio.toolcall.suite_file import SuiteFileError, load_suite

    if options.protocol not in PROTOCOLS:
        err_console.print(f"[bold red]Unknown protocol[/] {options.protocol!r}")
        raise typer.Exit(EXIT_INVALID_INPUT)
    try:
        return load_suite(options.suite)
    except SuiteFileError as error:
        err_console.print(f"[bold red]Cannot run:[/] {error}")
        raise typer.Exit(EXIT_INVALID_INPUT) from None


async def _run_live(options: LiveOptions) -> int:
    """Run the suite with a progress bar, print the summaries, write the files."""
    import asyncio

    from benchstudio.core.clock import utcnow
    from benchstudio.core.ids import new_id
    from benchstudio.core.net import EgressPolicy
    from benchstudio.providers.retry import RetryPolicy
    from benchstudio.toolcall.live.connect import guarded_adapters
    from benchstudio.toolcall.live.runner import LiveEvalRunner
    from benchstudio.toolcall.matching import SemanticScorerMissingError
    from benchstudio.toolcall.profiles import get_profile

    loaded = _load_for_run(options)
    if not confirm_placeholders(loaded, options, err_console):
        err_console.print("Not run.")
        return EXIT_INVALID_INPUT
    started_at, run_id = utcnow(), new_id()
    # The CLI runs on the operator's own machine: local servers are allowed (dev egress mode).
    semantic = options.semantic or SemanticOptions("embeddings", None, None, None, 0.5)
    async with (
        guarded_adapters(EgressPolicy.from_allow_list("dev")) as adapter_for,
        semantic_prepass(loaded, options.profile, semantic, err_console) as prepass,
    ):
        try:
            runner = LiveEvalRunner(
                loaded,
                build_targets(options),
                get_profile(options.profile),
                adapter_for,
                retry_policy=RetryPolicy(max_attempts=options.attempts),
                semantic=prepass,
            )
        except (SemanticScorerMissingError, ValueError) as error:
            err_console.print(f"[bold red]Cannot run:[/] {error}")
            return EXIT_INVALID_INPUT
        _print_adjustments(runner)
        try:
            await _drive_with_progress(runner)
        except asyncio.CancelledError:
            runner.cancelled = True
            _finish_run(options, runner, run_id, started_at)
            raise
    _finish_run(options, runner, run_id, started_at)
    return 0


def _print_adjustments(runner: LiveEvalRunner) -> None:
    for plan in runner.plans:
        for adjustment in plan.adjustments:
            err_console.print(
                f"[yellow]{plan.target.label}: {adjustment.param} {adjustment.action}[/]"
                f" ({adjustment.reason})"
            )


async def _drive_with_progress(runner: LiveEvalRunner) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[passed]} passed · {task.fields[errors]} API errors"),
    )
    with Progress(*columns, console=err_console, transient=False) as progress:
        tasks = {
            plan.target.label: progress.add_task(
                plan.target.label, total=len(runner.suite.cases), passed=0, errors=0
            )
            for plan in runner.plans
        }
        counts = {label: [0, 0] for label in tasks}
        async for result in runner.run():
            tally = counts[result.target]
            tally[0] += result.passed
            tally[1] += result.verdict.error_category == "api_error"
            progress.update(tasks[result.target], advance=1, passed=tally[0], errors=tally[1])


def _finish_run(
    options: LiveOptions, runner: LiveEvalRunner, run_id: str, started_at: datetime
) -> None:
    from benchstudio.core.clock import utcnow
    from benchstudio.toolcall.live.report import build_report, summaries_by_target, write_report
    from benchstudio.toolcall.suite_file import write_verdicts

    report = build_report(
        run_id=run_id,
        suite=runner.suite,
        profile=options.profile,
        plans=runner.plans,
        results=runner.results,
        started_at=started_at,
        finished_at=utcnow(),
        cancelled=runner.cancelled,
    )
    for summary in summaries_by_target(runner.plans, report.results, run_id).values():
        print_summary(summary, options.profile)
    if len(runner.plans) == 2:
        _print_comparison(runner, report.results)
    if options.output is not None:
        write_report(report, options.output)
        console.print(f"Results written to {options.output}")
    if options.verdicts is not None:
        write_verdicts((r.verdict for r in report.results), options.verdicts)
        console.print(f"Verdicts written to {options.verdicts}")
    if runner.cancelled:
        err_console.print(f"[yellow]Cancelled after {len(runner.results)}/{runner.total} cases[/]")


def _print_comparison(runner: LiveEvalRunner, results: list[LiveCaseResult]) -> None:
    from benchstudio.toolcall.aggregate import compare_runs

    first, second = (plan.target.label for plan in runner.plans)
    verdicts_a = [r.verdict for r in results if r.target == first]
    verdicts_b = [r.verdict for r in results if r.target == second]
    comparison = compare_runs(verdicts_a, verdicts_b)
    p_value = "–" if comparison.p_value is None else f"{comparison.p_value:.3g}"
    verdict = "significant" if comparison.significant else "not significant"
    console.print(
        f"{second} vs {first}: pass rate {_percent(comparison.rate_b)} vs "
        f"{_percent(comparison.rate_a)}, McNemar p = {p_value} ({verdict} at 5%)"
    )


app.command("delete")(server_records.delete_eval_run)
