"""`benchstudio bench`: measure an LLM endpoint's speed; `bench report` renders the HTML page.

Exit codes: 0 when the run completed (request errors are reported, not fatal), 2 for bad
arguments, 130 when interrupted (partial results are still written, marked cancelled); with
`--server`, 1 when the job ended interrupted (`bench resume JOB_ID` continues it) or failed.
Heavy modules are imported inside the commands so that CLI start stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from benchstudio.cli.bench_tables import (
    print_estimate,
    print_results,
    report_diagnostics,
    write_outputs,
)

if TYPE_CHECKING:
    from benchstudio.speed.bench_result import BenchResult
    from benchstudio.speed.config import BenchConfig
    from benchstudio.speed.runner import BenchRunner

EXIT_BAD_ARGUMENTS = 2
EXIT_INTERRUPTED = 130

app = typer.Typer(
    help="Measure TTFT, ITL, TPOT, E2E and throughput of LLM endpoints.",
    invoke_without_command=True,
    no_args_is_help=False,
)
console = Console(stderr=True)


def _csv_numbers(text: str | None, cast: type[int] | type[float]) -> list[Any]:
    if not text:
        return []
    try:
        return [cast(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(f"expected comma-separated numbers, got {text!r}") from None


def _parse_target(spec: str, protocol: str, api_key_env: str | None) -> dict[str, Any]:
    name, sep, rest = spec.partition("=")
    url, comma, model = rest.rpartition(",")
    if not sep or not comma or not url or not model:
        raise typer.BadParameter(f"--target wants NAME=URL,MODEL, got {spec!r}")
    return {
        "name": name,
        "base_url": url,
        "model": model,
        "protocol": protocol,
        "api_key_env": api_key_env,
    }


def _build_config(options: dict[str, Any]) -> BenchConfig:
    from pydantic import ValidationError

    from benchstudio.speed.config import BenchConfig, load_config_file
    from benchstudio.speed.results import SloTargets

    data: dict[str, Any] = {}
    if options["config"] is not None:
        data = load_config_file(options["config"])
    targets = list(data.get("targets") or [])
    protocol, key_env = options["protocol"], options["api_key_env"]
    if options["base_url"] or options["model"]:
        if not (options["base_url"] and options["model"]):
            raise typer.BadParameter("--base-url and --model go together")
        targets.append(
            {
                "base_url": options["base_url"],
                "model": options["model"],
                "protocol": protocol,
                "api_key_env": key_env,
                "context_window": options["context_window"],
            }
        )
    targets += [_parse_target(spec, protocol, key_env) for spec in options["target"] or []]
    if not targets:
        raise typer.BadParameter("give --base-url and --model, --target, or --config")
    data["targets"] = targets
    if options["prompt_file"] is not None:
        data["prompt"] = options["prompt_file"].read_text(encoding="utf-8")
    elif options["prompt"] is not None:
        data["prompt"] = options["prompt"]
    if options["slo"]:
        try:
            data["slo"] = SloTargets.parse(options["slo"]).to_dict()
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    for key in ("context_tokens", "sweep_concurrency", "sweep_rate"):
        cast = float if key == "sweep_rate" else int
        if options[key]:
            data[key] = _csv_numbers(options[key], cast)
    simple = (
        "max_tokens",
        "temperature",
        "runs",
        "warmup",
        "concurrency",
        "request_rate",
        "arrival",
        "burstiness",
        "num_requests",
        "duration_s",
        "max_cost",
        "timeout_s",
        "corpus",
        "workers",
        "max_in_flight",
    )
    for key in simple:
        if options[key] is not None:
            data[key] = options[key]
    for flag in ("cache_probe", "slo_search", "parallel_models", "cold"):
        if options[flag]:
            data[flag] = True
    try:
        return BenchConfig.model_validate(data)
    except ValidationError as exc:
        raise typer.BadParameter(str(exc)) from None


async def _run_with_progress(runner: BenchRunner, quiet: bool) -> BenchResult:
    import asyncio
    import signal

    from benchstudio.speed.progress import live_progress

    loop = asyncio.get_running_loop()

    def interrupt() -> None:
        runner.control.stop("cancelled")
        runner.control.cancel_in_flight()

    loop.add_signal_handler(signal.SIGINT, interrupt)
    try:
        async with live_progress(runner.control, enabled=not quiet and console.is_terminal):
            return await runner.run()
    finally:
        loop.remove_signal_handler(signal.SIGINT)


def _parsed_server_options(options: dict[str, Any]) -> dict[str, Any]:
    from benchstudio.speed.results import SloTargets

    parsed = dict(options)
    for key in ("context_tokens", "sweep_concurrency", "sweep_rate"):
        parsed[key] = _csv_numbers(options[key], float if key == "sweep_rate" else int)
    if options["slo"]:
        try:
            parsed["slo"] = SloTargets.parse(options["slo"]).to_dict()
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    return parsed


def _run(options: dict[str, Any]) -> None:
    if options["server"]:
        from benchstudio.cli.bench_server import run_on_server

        run_on_server(_parsed_server_options(options))
        return
    if options["parameter_set"]:
        # Sets live in a server's catalog; a local run has none to read them from.
        raise typer.BadParameter(
            "--parameter-set needs --server (parameter sets are stored on a BenchStudio server)",
            param_hint="--parameter-set",
        )
    config = _build_config(options)
    if options["estimate"]:
        print_estimate(config)
        return
    from benchstudio.speed.launch import run_benchmark

    result_data = run_benchmark(config, _run_with_progress, quiet=options["quiet"])
    print_results(result_data)
    report_diagnostics(result_data)
    write_outputs(result_data, options)
    if result_data["status"] == "cancelled":
        raise typer.Exit(EXIT_INTERRUPTED)


@app.callback()
def bench(
    ctx: typer.Context,
    base_url: str | None = typer.Option(None, help="API root as copied, e.g. http://host:8000/v1"),
    model: str | None = typer.Option(None, help="Model name to request."),
    target: list[str] | None = typer.Option(None, help="NAME=URL,MODEL (repeatable)."),
    config: Path | None = typer.Option(None, exists=True, dir_okay=False, help="Run YAML."),
    protocol: str = typer.Option("openai", help="openai | anthropic | gemini"),
    api_key_env: str | None = typer.Option(None, help="Environment variable holding the key."),
    prompt: str | None = typer.Option(None, help="Prompt text (a default exists)."),
    prompt_file: Path | None = typer.Option(None, exists=True, dir_okay=False),
    max_tokens: int | None = typer.Option(None, min=1),
    temperature: float | None = typer.Option(None),
    runs: int | None = typer.Option(None, min=1, help="Measured runs per tier (profile)."),
    warmup: int | None = typer.Option(None, min=0, help="Warm-up requests (not measured)."),
    context_tokens: str | None = typer.Option(None, help="Context tiers, e.g. 0,1000,8000."),
    context_window: int | None = typer.Option(None, min=1, help="Skip tiers beyond this."),
    corpus: str | None = typer.Option(None, help="prose | code | json | mixed filler."),
    cache_probe: bool = typer.Option(False, help="Repeat the prefix to measure caching."),
    concurrency: int | None = typer.Option(None, min=1),
    request_rate: float | None = typer.Option(None, min=0.001),
    arrival: str | None = typer.Option(None, help="poisson | gamma | constant"),
    burstiness: float | None = typer.Option(None, min=0.001),
    num_requests: int | None = typer.Option(None, min=1),
    duration: float | None = typer.Option(None, min=0.001, help="Seconds per load step."),
    max_in_flight: int | None = typer.Option(None, min=1),
    sweep_concurrency: str | None = typer.Option(None, help="e.g. 1,2,4,8"),
    sweep_rate: str | None = typer.Option(None, help="e.g. 1,5,10"),
    slo: str | None = typer.Option(None, help="e.g. ttft_ms=500,tpot_ms=50"),
    slo_search: bool = typer.Option(False, help="Find the highest rate meeting --slo."),
    parallel_models: bool = typer.Option(False, help="Models of one provider in parallel."),
    workers: int | None = typer.Option(None, min=1, max=64, help="Load-generating processes."),
    cold: bool = typer.Option(
        False, help="Open no connection before each window: first requests include the connect."
    ),
    timeout: float | None = typer.Option(None, min=0.001, help="Per-request timeout (s)."),
    max_cost: float | None = typer.Option(None, min=0.0, help="Stop at this spend (USD)."),
    estimate: bool = typer.Option(False, help="Print requests, tokens and cost, then exit."),
    output: Path | None = typer.Option(None, help="Results JSON."),
    requests_jsonl: Path | None = typer.Option(None, help="One JSON line per request."),
    csv: Path | None = typer.Option(None, help="Summary CSV (one row per step)."),
    quiet: bool = typer.Option(False, help="No live progress."),
    server: str | None = typer.Option(
        None, help="Run as a job on this BenchStudio server (token from BENCHSTUDIO_TOKEN)."
    ),
    provider: str | None = typer.Option(
        None, help="With --server: the server provider (name or id) of --model."
    ),
    parameter_set: str | None = typer.Option(
        None,
        "--parameter-set",
        help="With --server: a parameter set (name or id) for every target; explicit flags win.",
    ),
) -> None:
    """Run a speed benchmark (profile mode unless --concurrency or --request-rate)."""
    if ctx.invoked_subcommand is not None:
        return
    options = dict(locals())
    options["duration_s"] = options.pop("duration")
    options["timeout_s"] = options.pop("timeout")
    options.pop("ctx")
    _run(options)


@app.command("import")
def import_results(
    results: Path = typer.Argument(..., exists=True, dir_okay=False, help="Results JSON."),
    server: str = typer.Option(..., help="BenchStudio server URL (token from BENCHSTUDIO_TOKEN)."),
    allow_duplicate: bool = typer.Option(
        False,
        "--allow-duplicate",
        help="Import results imported before again, as a copy (refused by default).",
    ),
) -> None:
    """Upload a local results file into the server's benchmark history."""
    from benchstudio.cli.server_client import ServerClient, ServerError, token_from_env

    try:
        with ServerClient(server, token_from_env()) as client:
            imported = client.import_results(results.read_bytes(), allow_duplicate=allow_duplicate)
    except ServerError as exc:
        console.print(f"[bold red]server:[/] {exc}")
        raise typer.Exit(1) from None
    console.print(f"imported run {imported['run']['id']} ({imported['requests']} requests)")


@app.command("resume")
def resume(
    job_id: str = typer.Argument(..., help="The interrupted job (printed when it stopped)."),
    server: str = typer.Option(..., help="BenchStudio server URL (token from BENCHSTUDIO_TOKEN)."),
    output: Path | None = typer.Option(None, help="Results JSON."),
    requests_jsonl: Path | None = typer.Option(None, help="One JSON line per request."),
    csv: Path | None = typer.Option(None, help="Summary CSV (one row per step)."),
) -> None:
    """Resume an interrupted benchmark job on a server: finished steps are kept, the rest run."""
    from benchstudio.cli.bench_server import resume_on_server

    options = {"server": server, "output": output, "requests_jsonl": requests_jsonl, "csv": csv}
    resume_on_server(job_id, options)


@app.command("report")
def report(
    results: Path = typer.Argument(..., exists=True, dir_okay=False, help="Results JSON."),
    html: Path = typer.Option(Path("report.html"), help="Where to write the page."),
) -> None:
    """Write a self-contained HTML report (charts inline) for a results JSON."""
    from benchstudio.speed.report import render_report

    try:
        data = json.loads(results.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise typer.BadParameter(f"{results} is not JSON: {exc}") from None
    if not isinstance(data, dict) or "requests" not in data:
        raise typer.BadParameter(f"{results} is not a benchstudio bench results file")
    html.write_text(render_report(data), encoding="utf-8")
    console.print(f"report written to {html}")
