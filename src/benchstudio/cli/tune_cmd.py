"""`benchstudio tune`: search a model's request parameters for the best tool-calling score on a
suite (the tool eval's, or a judge's with `--objective judge`: see `tune_judge`), on this
machine against any endpoint (like `eval run`) or as a job on a server (`--server`);
`tune presets` lists the built-in vendor presets.

Exit codes (as `bench`): 0 the study ran (whichever budget or rule stopped it), 1 no trial
completed, a server refused or its job failed or was interrupted, 2 bad arguments (a space
flag, a bound, a file), 130 cancelled with Ctrl-C (finished trials are still reported and
written). Heavy imports live inside the commands.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from benchstudio.cli.eval_semantic import (
    SemanticFlags,
    embedding_base_url_option,
    embedding_key_option,
    embedding_model_option,
    judge_base_url_option,
    judge_key_option,
    judge_protocol_option,
    source_option,
    threshold_option,
)
from benchstudio.cli.tune_judge import (
    judge_model_id_option,
    judge_model_option,
    judge_price_option,
    local_judge,
    objective_option,
    server_judge,
)
from benchstudio.cli.tune_options import TuneOptions, model_price, run_settings
from benchstudio.cli.tune_space import build_space

EXIT_FAILED = 1
EXIT_BAD_ARGUMENTS = 2
EXIT_INTERRUPTED = 130
METRICS = ("pass_rate", "tool_selection_f1", "argument_accuracy", "schema_valid_rate")
PROFILES = ("bfcl", "strict", "lenient")

app = typer.Typer(
    help="Tune request parameters (temperature, top_p, ...) for the best tool-calling score "
    "(the tool eval's or a judge's).",
    invoke_without_command=True,
    no_args_is_help=False,
)
console = Console()
err_console = Console(stderr=True)


def _local_checks(options: TuneOptions) -> None:
    if options.suite is None or options.base_url is None or options.model is None:
        raise typer.BadParameter(
            "a local study needs --suite FILE, --base-url and --model (or --server URL)"
        )
    if not Path(options.suite).is_file():
        raise typer.BadParameter(f"{options.suite} is not a file", param_hint="--suite")
    if options.protocol not in ("openai", "anthropic", "gemini"):
        raise typer.BadParameter(
            f"{options.protocol!r}: use openai, anthropic or gemini", param_hint="--protocol"
        )


def _server_checks(
    options: TuneOptions, semantic: SemanticFlags, judge_price: tuple[float | None, ...] | None
) -> None:
    local_only = [
        flag
        for flag, value in (
            ("--price-input/--price-output", options.price),
            ("--tool-choice", options.tool_choice),
            ("--semantic-source", semantic.source),
            ("--embedding-model", semantic.embedding_model),
            ("--judge-model", semantic.judge_model),
            ("--judge-base-url", semantic.judge_base_url),
            ("--judge-protocol", semantic.judge_protocol),
            ("--judge-api-key-env", semantic.judge_api_key_env),
            ("--judge-price-input/--judge-price-output", judge_price),
        )
        if value is not None
    ]
    if local_only:
        raise typer.BadParameter(
            f"{local_only[0]} is for local studies: a server run uses its catalog's prices, its "
            "own scorer settings and tool choice auto (its judge: --judge-model-id)"
        )
    if options.base_url or options.api_key_env:
        raise typer.BadParameter(
            "--server runs the server's providers: drop --base-url and --api-key-env, give "
            "--provider NAME_OR_ID and --model"
        )
    if options.suite is None or options.provider is None or options.model is None:
        raise typer.BadParameter(
            "with --server, give --suite (a suite name or id), --provider (name or id) and --model"
        )


def _fixed(pairs: list[str]) -> dict[str, Any]:
    from benchstudio.cli.eval_run_options import parse_params

    try:
        return parse_params(pairs)
    except typer.BadParameter as error:
        raise typer.BadParameter(error.message, param_hint="--fixed") from None


def _vendor_preset(preset_id: str | None) -> None:
    from benchstudio.tuning.domain.presets import BUILTIN_PRESETS, preset_by_id

    if preset_id is not None and preset_by_id(preset_id) is None:
        known = ", ".join(p.id for p in BUILTIN_PRESETS)
        raise typer.BadParameter(
            f"no vendor preset {preset_id!r} (known: {known}; see `benchstudio tune presets`)",
            param_hint="--vendor-preset",
        )


@app.callback()
def tune(
    ctx: typer.Context,
    suite: str | None = typer.Option(
        None, "--suite", help="Suite file (local); with --server a suite name or id."
    ),
    base_url: str | None = typer.Option(None, "--base-url", help="Endpoint (local studies)."),
    model: str | None = typer.Option(None, "--model", help="The model to tune."),
    protocol: str = typer.Option("openai", "--protocol", help="openai | anthropic | gemini"),
    provider: str | None = typer.Option(
        None,
        "--provider",
        help="Local: provider for the parameter rules (default: the protocol). "
        "--server: the server's provider (name or id).",
    ),
    api_key_env: str | None = typer.Option(
        None, "--api-key-env", help="Environment variable holding the API key."
    ),
    space: Path | None = typer.Option(
        None, "--space", dir_okay=False, help="Search space file (JSON or YAML, SearchSpaceIn)."
    ),
    param: list[str] = typer.Option(
        [],
        "--param",
        help="A dimension: name=low:high[:step][:log][:int] or name=a,b,c (repeat).",
    ),
    repeats: int | None = typer.Option(
        None, "--repeats", min=1, max=50, help="Samples per point, each with its own seed."
    ),
    fixed: list[str] = typer.Option(
        [], "--fixed", help="A parameter every request sends as name=value (repeat)."
    ),
    system_prompt: str | None = typer.Option(
        None, "--system-prompt", help="Replaces the suite's system prompt."
    ),
    tool_choice: str | None = typer.Option(
        None, "--tool-choice", help="auto | required | none | a tool name to force."
    ),
    profile: str = typer.Option("lenient", "--profile", help="bfcl | strict | lenient"),
    strategy: str = typer.Option("tpe", "--strategy", help="grid | random | tpe"),
    grid_sample: int | None = typer.Option(
        None, "--grid-sample", help="Grid: try this many of its points, drawn at random."
    ),
    seed: int = typer.Option(0, "--seed", help="The strategy's seed (and the repeats' seeds)."),
    trials: int = typer.Option(20, "--trials", help="Most trials, baselines included."),
    max_calls: int | None = typer.Option(None, "--max-calls", help="Most model calls."),
    max_cost: float | None = typer.Option(None, "--max-cost", help="Most spend (USD)."),
    max_wall: int | None = typer.Option(None, "--max-wall", help="Most seconds (>= 10)."),
    objective: str = objective_option(),
    metric: str = typer.Option(
        "pass_rate", "--metric", help="The tool-eval score: " + " | ".join(METRICS)
    ),
    minimize: list[str] = typer.Option(
        [], "--minimize", help="Also minimise latency and/or cost (repeat): a Pareto front."
    ),
    patience: int | None = typer.Option(
        None, "--patience", help="Stop after this many trials without improvement."
    ),
    min_delta: float = typer.Option(
        0.0, "--min-delta", help="An improvement must beat the best by more than this."
    ),
    no_prune: bool = typer.Option(
        False, "--no-prune", help="Run every trial to its end (no early cut of hopeless ones)."
    ),
    vendor_preset: str | None = typer.Option(
        None,
        "--vendor-preset",
        help="Also run this vendor preset's point as a baseline (`benchstudio tune presets`).",
    ),
    concurrency: int | None = typer.Option(
        None, "--concurrency", min=1, max=64, help="Trials in parallel (default: the endpoint's)."
    ),
    timeout: float = typer.Option(120.0, "--timeout", min=1.0, help="Seconds per request."),
    attempts: int = typer.Option(3, "--attempts", min=1, max=10, help="Tries per request."),
    name: str | None = typer.Option(None, "--name", help="The run's name (server runs)."),
    output: Path | None = typer.Option(
        None, "--output", dir_okay=False, help="Write every trial, the best and the comparisons."
    ),
    server: str | None = typer.Option(
        None, "--server", help="Run as a job on this BenchStudio server (BENCHSTUDIO_TOKEN)."
    ),
    yes: bool = typer.Option(
        False, "--yes", "-y", help="Run without asking when cases still hold placeholders."
    ),
    price_input: float | None = typer.Option(
        None, "--price-input", min=0.0, help="Local: USD per million input tokens (--max-cost)."
    ),
    price_output: float | None = typer.Option(
        None, "--price-output", min=0.0, help="Local: USD per million output tokens."
    ),
    semantic_source: str | None = source_option(),
    embedding_model: str | None = embedding_model_option(),
    embedding_base_url: str | None = embedding_base_url_option("default: --base-url"),
    embedding_api_key_env: str | None = embedding_key_option(),
    judge_model: str | None = judge_model_option(),
    judge_model_id: str | None = judge_model_id_option(),
    judge_price_input: float | None = judge_price_option("input"),
    judge_price_output: float | None = judge_price_option("output"),
    judge_base_url: str | None = judge_base_url_option("default: --base-url"),
    judge_api_key_env: str | None = judge_key_option(),
    judge_protocol: str | None = judge_protocol_option("default: --protocol"),
    semantic_threshold: float = threshold_option(),
) -> None:
    """Search request parameters for the best score on a suite. Baselines run first (the
    provider's defaults, and --vendor-preset's point); every trial is an eval of the suite."""
    if ctx.invoked_subcommand is not None:
        return
    if not any((suite, base_url, model, space, param, server)):  # nothing to tune: the help
        typer.echo(ctx.get_help())
        return
    if profile not in PROFILES:
        choices = ", ".join(PROFILES)
        raise typer.BadParameter(f"{profile!r}: use one of {choices}", param_hint="--profile")
    flags = dict(locals())
    options = TuneOptions(
        suite=suite,
        space=build_space(space, param, repeats),
        base_url=base_url,
        model=model,
        protocol=protocol,
        provider=provider,
        api_key_env=api_key_env,
        profile=profile,
        fixed=_fixed(fixed),
        system_prompt=system_prompt,
        tool_choice=tool_choice,
        settings=run_settings(flags),
        vendor_preset=vendor_preset,
        concurrency=concurrency,
        timeout_s=timeout,
        attempts=attempts,
        name=name,
        output=output,
        server=server,
        yes=yes,
        price=model_price(price_input, price_output),
    )
    _vendor_preset(vendor_preset)
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
    )
    judge_prices = (judge_price_input, judge_price_output)
    if server:
        from benchstudio.cli.tune_server import tune_on_server

        priced = judge_prices if any(p is not None for p in judge_prices) else None
        _server_checks(options, semantic, priced)
        options = replace(options, judge_ref=server_judge(objective, judge_model_id))
        code = tune_on_server(options, console, err_console)
    else:
        from benchstudio.cli.tune_local import tune_locally

        _local_checks(options)
        judge = local_judge(objective, semantic, (base_url, protocol), judge_model_id, judge_prices)
        options = replace(options, semantic=semantic.resolve(base_url, protocol), judge=judge)
        code = tune_locally(options, console, err_console)
    if code:
        raise typer.Exit(code)


@app.command("resume")
def resume(
    job_id: str = typer.Argument(..., help="The interrupted tune job (printed when it stopped)."),
    server: str = typer.Option(..., "--server", help="BenchStudio server (BENCHSTUDIO_TOKEN)."),
    output: Path | None = typer.Option(
        None, "--output", dir_okay=False, help="Write every trial, the best and the comparisons."
    ),
) -> None:
    """Continue an interrupted tune job on a server from its stored trials."""
    from benchstudio.cli.tune_server import resume_on_server

    code = resume_on_server(job_id, server, output, console, err_console)
    if code:
        raise typer.Exit(code)


@app.command("presets")
def presets(
    model: str | None = typer.Option(None, "--model", help="Only the presets for this model id."),
) -> None:
    """The built-in vendor presets: the sampling settings model makers recommend."""
    from rich.table import Table

    from benchstudio.cli.tune_view import point_text
    from benchstudio.tuning.domain.presets import BUILTIN_PRESETS, presets_for

    found = presets_for(model) if model else list(BUILTIN_PRESETS)
    if not found:
        err_console.print(f"No built-in vendor preset applies to {model!r}.")
        return
    table = Table(title="Vendor presets" + (f" for {model}" if model else ""))
    for column in ("id", "family", "recommended", "models (regex)", "source"):
        table.add_column(column, overflow="fold")
    for preset in found:
        table.add_row(
            preset.id,
            preset.label,
            point_text(preset.recommended),
            preset.applies_to,
            preset.source,
        )
    console.print(table)
